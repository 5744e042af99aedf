"""`wfd serve` runs one embedded Temporal for all its server processes and stops what it started."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.settings import Settings
from tests.backend.live import LiveServer
from tests.backend.runtime_support import (
    children_of,
    command_line,
    greeting_project,
    process_exists,
    wait_for,
)


def stored(database_url: str) -> str:
    """The database with the test's project in it (so `wfd serve` spends no time seeding)."""
    with TestClient(create_app(Settings(database_url=database_url))) as api:
        assert api.post("/api/import", json=greeting_project("served")).status_code == 201
    return database_url


def test_serve_with_workers_starts_temporal_once_and_stops_every_child(
    live_server: LiveServer, tmp_path: Path
) -> None:
    database_url = stored(f"sqlite:///{tmp_path / 'data' / 'wfd.db'}")
    url = live_server.start(database_url, workers=2, WFD_TEMPORAL="embedded")
    live_server.wait_for_workers(2)
    assert live_server.process is not None
    serve_pid = live_server.process.pid
    # each connection may reach either server process: all of them see the same Temporal
    answers = [httpx.get(f"{url}/api/runtime").json() for _ in range(8)]
    up = wait_for(
        lambda: (answer := httpx.get(f"{url}/api/runtime").json())["up"] and answer,
        "Temporal to answer",
    )
    deployed = httpx.post(f"{url}/api/projects/served/deployments", timeout=60)
    assert deployed.status_code == 201, deployed.text
    running = wait_for(
        lambda: (
            (found := httpx.get(f"{url}/api/deployments/{deployed.json()['id']}").json())["status"]
            == "running"
            and found
        ),
        "the worker to poll",
    )
    children = children_of(serve_pid)
    temporal = [pid for pid in children if "temporal server start-dev" in command_line(pid)]
    workers = [pid for pid in children if "served.worker" in command_line(pid)]
    temporal_command = command_line(temporal[0]) if temporal else ""

    live_server.stop()

    assert {answer["address"] for answer in answers} == {up["address"]}
    assert up["temporal"] == "embedded"
    assert up["address"].startswith("127.0.0.1:")
    assert len(temporal) == 1
    assert workers == [running["pid"]]
    assert f"--db-filename {tmp_path / 'data' / 'temporal.db'}" in temporal_command
    assert "--ip 127.0.0.1" in temporal_command
    for pid in children:

        def ended(pid: int = pid) -> bool:
            return not process_exists(pid)

        wait_for(ended, f"child {pid} to end")


def test_serve_with_temporal_off_serves_the_designer_alone(
    live_server: LiveServer, tmp_path: Path
) -> None:
    url = live_server.start(stored(f"sqlite:///{tmp_path / 'wfd.db'}"), WFD_TEMPORAL="off")
    assert live_server.process is not None

    runtime = httpx.get(f"{url}/api/runtime").json()

    assert runtime["temporal"] == "off"
    assert runtime["deployments"] is False
    assert not [
        pid for pid in children_of(live_server.process.pid) if "temporal" in command_line(pid)
    ]

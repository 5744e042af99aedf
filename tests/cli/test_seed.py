"""`wfd seed` and the first `wfd serve` put the sample projects in the database, once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

import samples

WFD = str(Path(sys.executable).with_name("wfd"))


def run_wfd(*arguments: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [WFD, *arguments], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def sample_ids() -> list[str]:
    return sorted(document["id"] for document in samples.documents())


def test_samples_exist_and_check_clean() -> None:
    ids = sample_ids()
    assert {"package-management", "plan-writer"} <= set(ids), ids


def test_seed_twice_leaves_one_copy_and_reset_recreates(tmp_path: Path) -> None:
    database = tmp_path / "wfd.db"
    first = run_wfd("seed", database=database)
    assert first.returncode == 0, first.stderr
    assert sorted(line.split()[1] for line in first.stdout.splitlines()) == sample_ids()
    assert all(line.startswith("created ") for line in first.stdout.splitlines())

    second = run_wfd("seed", database=database)
    assert second.returncode == 0, second.stderr
    assert all(line.startswith("kept ") for line in second.stdout.splitlines())

    reset = run_wfd("seed", "--reset", database=database)
    assert all(line.startswith("recreated ") for line in reset.stdout.splitlines())

    import sqlite3

    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id FROM project ORDER BY id").fetchall()
    assert [row[0] for row in rows] == sample_ids()


def test_export_writes_each_project_as_json(tmp_path: Path) -> None:
    result = run_wfd("seed", "--export", str(tmp_path / "out"), database=tmp_path / "x.db")
    assert result.returncode == 0, result.stderr
    written = sorted(path.stem for path in (tmp_path / "out").glob("*.json"))
    assert written == sample_ids()
    for path in (tmp_path / "out").glob("*.json"):
        assert json.loads(path.read_text())["id"] == path.stem
        # in the samples' own canonical form: the export of a sample is its file
        assert path.read_bytes() == (samples.FOLDER / path.name).read_bytes()


def test_first_serve_on_an_empty_database_seeds(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    server = subprocess.Popen(
        [WFD, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        projects = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/projects", timeout=2)
                if response.status_code == 200:
                    projects = response.json()
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        assert projects is not None, "the server did not answer"
        assert sorted(project["id"] for project in projects) == sample_ids()
    finally:
        server.terminate()
        server.wait(timeout=30)

"""Deployments on the embedded Temporal: a managed worker runs them, is restarted when it dies,
stops with the server, and starts again (with the runs' histories) when the server does."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

from tests.backend.runtime_support import (
    RuntimeApp,
    RuntimeAppFactory,
    deploy,
    greeting_project,
    process_exists,
    runtime_settings,
    temporal_client,
    wait_for,
    wait_until_running,
)
from tests.support.harness import unique_id


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeApp]:
    """One app with its embedded Temporal for the tests that need no restart of their own."""
    factory = RuntimeAppFactory([])
    try:
        yield factory.start(runtime_settings(tmp_path_factory.mktemp("runtime")))
    finally:
        factory.stop_all()


async def greet(client: Client, task_queue: str, name: str) -> tuple[str, str]:
    """Run `greet` on the task queue; its workflow id and result."""
    workflow_id = unique_id("greet")
    result = await client.execute_workflow(
        "greet", {"name": name}, id=workflow_id, task_queue=task_queue
    )
    return workflow_id, result


async def test_a_deployment_runs_its_workflows_on_its_own_task_queue(
    shared_app: RuntimeApp,
) -> None:
    api = shared_app.api
    deployment = deploy(api, greeting_project(unique_id("greeting")))
    client = await temporal_client(api)

    _, result = await greet(client, deployment["task_queue"], "Ada")

    assert result == "hello Ada"
    assert deployment["task_queue"] == deployment["id"]
    assert deployment["id"].startswith(f"{deployment['project_id']}-draft-")
    assert (
        deployment["temporal_address"]
        == shared_app.runtime.app_environment()["WFD_TEMPORAL_ADDRESS"]
    )
    assert deployment["web_ui_url"].startswith("http://127.0.0.1:")
    runtime = api.get("/api/runtime").json()
    assert runtime["temporal"] == "embedded"
    assert runtime["up"] is True
    assert runtime["deployments"] is True
    assert runtime["address"].startswith("127.0.0.1:")


async def test_a_killed_worker_is_started_again_and_takes_new_work(shared_app: RuntimeApp) -> None:
    api = shared_app.api
    deployment = deploy(api, greeting_project(unique_id("killed")))
    client = await temporal_client(api)

    os.kill(deployment["pid"], signal.SIGKILL)
    again = wait_until_running(api, deployment["id"], pid=deployment["pid"])
    _, result = await greet(client, deployment["task_queue"], "Grace")

    assert result == "hello Grace"
    assert again["restarts"] == 1
    assert not process_exists(deployment["pid"])
    log = api.get(f"/api/deployments/{deployment['id']}/log", params={"tail": 50}).json()
    assert any("was killed by SIGKILL; starting it again" in line for line in log["lines"])
    assert any(f"(pid {again['pid']})" in line for line in log["lines"])


async def test_the_same_content_deployed_again_is_the_same_deployment(
    shared_app: RuntimeApp,
) -> None:
    api = shared_app.api
    document = greeting_project(unique_id("again"))
    first = deploy(api, document)

    repeated = api.post(f"/api/projects/{document['id']}/deployments")
    document["workflows"][0]["nodes"][1]["config"]["args"] = {"name": "input.name + '!'"}
    changed = deploy(api, document)

    assert repeated.status_code == 200
    assert repeated.json()["id"] == first["id"]
    assert changed["id"] != first["id"]
    listed = api.get(f"/api/projects/{document['id']}/deployments").json()
    assert sorted(item["id"] for item in listed) == sorted([first["id"], changed["id"]])
    # two deployments of one project never take each other's tasks
    client = await temporal_client(api)
    assert (await greet(client, first["task_queue"], "x"))[1] == "hello x"
    assert (await greet(client, changed["task_queue"], "x"))[1] == "hello x!"


def test_a_stopped_deployment_ends_its_worker_and_can_start_again(shared_app: RuntimeApp) -> None:
    api = shared_app.api
    deployment = deploy(api, greeting_project(unique_id("stopped")))

    answer = api.post(f"/api/deployments/{deployment['id']}/stop")
    stopped = wait_for(
        lambda: (
            (found := api.get(f"/api/deployments/{deployment['id']}").json())["status"] == "stopped"
            and found
        ),
        "the worker to stop",
    )
    wait_for(lambda: not process_exists(deployment["pid"]), "the worker process to end")
    started = api.post(f"/api/deployments/{deployment['id']}/start")
    running = wait_until_running(api, deployment["id"], pid=deployment["pid"])

    assert answer.status_code == 200
    assert answer.json()["desired"] == "stopped"
    assert stopped["pid"] is None
    assert started.status_code == 200
    assert running["desired"] == "running"


async def test_the_server_stops_everything_it_started_and_brings_deployments_back(
    runtime_apps: RuntimeAppFactory, tmp_path: Path
) -> None:
    settings = runtime_settings(tmp_path)
    first = runtime_apps.start(settings)
    deployment = deploy(first.api, greeting_project(unique_id("restart")))
    client = await temporal_client(first.api)
    earlier_id, _ = await greet(client, deployment["task_queue"], "before")
    assert first.runtime.temporal is not None
    temporal_pid = first.runtime.temporal.process.pid
    assert temporal_pid is not None

    runtime_apps.stop(first)

    assert not process_exists(deployment["pid"])
    assert not process_exists(temporal_pid)
    second = runtime_apps.start(settings)
    back = wait_until_running(second.api, deployment["id"], pid=deployment["pid"])
    client = await temporal_client(second.api)
    earlier = await client.get_workflow_handle(earlier_id).result()
    _, later = await greet(client, deployment["task_queue"], "after")

    assert back["desired"] == "running"
    assert earlier == "hello before"  # the history is in <data dir>/temporal.db
    assert later == "hello after"

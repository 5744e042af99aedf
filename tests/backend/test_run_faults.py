"""Faults a run must survive: its managed worker killed in the middle of a step, and a restart
of the server. Temporal keeps the run; the runtime brings the worker back; the API still shows
the run and its per-node overlay."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from temporalio.api.enums.v1 import EventType

from tests.backend.runtime_support import (
    RuntimeAppFactory,
    deploy,
    runtime_settings,
    temporal_client,
    wait_for,
    wait_until_running,
)
from tests.support.harness import chain, node, project, unique_id


def steps_project(project_id: str) -> dict[str, Any]:
    """`steps`: fetch, then a 3 s build (8 s to finish an attempt), then publish."""

    def simulated(name: str, result: str, delay: float) -> dict[str, Any]:
        return {
            "name": name,
            "input": {"name": "str"},
            "output": "str",
            "implementation": {"kind": "simulate", "result": result, "delay_seconds": delay},
        }

    def step(node_id: str, activity: str, result: str, **config: Any) -> dict[str, Any]:
        return node(
            node_id,
            "activity",
            activity=activity,
            args={"name": "input.name"},
            result=result,
            **config,
        )

    return project(
        project_id,
        [
            {
                "id": "steps",
                "name": "Steps",
                "input": {"name": "str"},
                "output": "str",
                "nodes": [
                    node("start", "start"),
                    step("fetch", "fetch", "fetched"),
                    step("build", "build", "built", start_to_close_timeout="8s"),
                    step("publish", "publish", "published"),
                    node("finish", "end", value="published"),
                ],
                "edges": chain("start", "fetch", "build", "publish", "finish"),
            }
        ],
        activities=[
            simulated("fetch", "fetched {name}", 0.1),
            simulated("build", "built {name}", 3.0),
            simulated("publish", "published {name}", 0.1),
        ],
    )


def start(api: TestClient, deployment_id: str, name: str) -> str:
    body = {"workflow": "steps", "input": {"name": name}}
    answer = api.post(f"/api/deployments/{deployment_id}/runs", json=body)
    assert answer.status_code == 201, answer.text
    workflow_id: str = answer.json()["workflow_id"]
    return workflow_id


def described(api: TestClient, workflow_id: str) -> dict[str, Any]:
    answer = api.get(f"/api/runs/{workflow_id}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def when_node(api: TestClient, workflow_id: str, node_id: str, status: str) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        run = described(api, workflow_id)
        return run if run["nodes"][node_id]["status"] == status else None

    return wait_for(reached, f"{node_id} of {workflow_id} to be {status}")


def when_ended(api: TestClient, workflow_id: str) -> dict[str, Any]:
    def ended() -> dict[str, Any] | None:
        run = described(api, workflow_id)
        return run if run["status"] != "RUNNING" else None

    return wait_for(ended, f"{workflow_id} to end", deadline=180)


async def test_a_worker_killed_mid_step_is_restarted_and_the_run_ends_with_no_step_run_again(
    runtime_apps: RuntimeAppFactory, tmp_path: Path
) -> None:
    app = runtime_apps.start(runtime_settings(tmp_path))
    api = app.api
    deployment = deploy(api, steps_project(unique_id("killed-mid-run")))
    workflow_id = start(api, deployment["id"], "ada")
    when_node(api, workflow_id, "build", "running")

    os.kill(deployment["pid"], signal.SIGKILL)

    wait_until_running(api, deployment["id"], pid=deployment["pid"])
    run = when_ended(api, workflow_id)
    assert run["status"] == "COMPLETED", run
    assert run["result"] == "published ada"
    assert {n: run["nodes"][n]["status"] for n in ("fetch", "build", "publish")} == {
        "fetch": "completed",
        "build": "completed",
        "publish": "completed",
    }

    client = await temporal_client(api)
    scheduled: dict[str, int] = {}
    attempts: dict[str, int] = {}
    names: dict[int, str] = {}
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            names[event.event_id] = name
            scheduled[name] = scheduled.get(name, 0) + 1
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            attempts[names[started.scheduled_event_id]] = started.attempt
    # every step was asked for once; the two the kill did not touch ran once, and the build
    # the kill cut short ran at most once more (Temporal's at-least-once, after its timeout)
    assert scheduled == {"fetch": 1, "build": 1, "publish": 1}
    assert attempts["fetch"] == 1
    assert attempts["publish"] == 1
    assert attempts["build"] in (1, 2)
    log = api.get(f"/api/deployments/{deployment['id']}/log", params={"tail": 200}).json()
    assert any("was killed by SIGKILL; starting it again" in line for line in log["lines"])


def test_after_a_restart_of_the_server_runs_and_their_overlays_are_still_there(
    runtime_apps: RuntimeAppFactory, tmp_path: Path
) -> None:
    settings = runtime_settings(tmp_path)
    first = runtime_apps.start(settings)
    deployment = deploy(first.api, steps_project(unique_id("restarted")))
    done = start(first.api, deployment["id"], "grace")
    finished = when_ended(first.api, done)
    running = start(first.api, deployment["id"], "linus")
    when_node(first.api, running, "build", "running")

    runtime_apps.stop(first)
    second = runtime_apps.start(settings)
    api = second.api
    wait_until_running(api, deployment["id"], pid=deployment["pid"])

    again = described(api, done)
    assert again["status"] == "COMPLETED"
    assert again["result"] == "published grace"
    assert again["nodes"] == finished["nodes"]
    # the run the restart interrupted goes on on the new worker and ends
    interrupted = when_ended(api, running)
    assert interrupted["status"] == "COMPLETED", interrupted
    assert interrupted["result"] == "published linus"
    listed = api.get(f"/api/deployments/{deployment['id']}/runs")
    assert listed.status_code == 200, listed.text
    assert {done, running} <= {r["workflow_id"] for r in listed.json()}

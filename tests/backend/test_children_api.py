"""The children view of a run's spawn_children and work_queue nodes, on the embedded Temporal:
items with their dependencies, waiting for their dependencies or the limit, running, done,
failed and skipped; a work queue's queue (from its query), pause, retries and the children of
its earlier runs after a continue-as-new; 404 and 422 for what has no such view."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.backend.runtime_support import (
    RuntimeApp,
    RuntimeAppFactory,
    deploy,
    runtime_settings,
    wait_for,
)
from tests.support.harness import chain, edge, node, project, unique_id


def job_workflow() -> dict[str, Any]:
    """`job`: fails when told, else sleeps 0.3 s (5 s when slow) and returns its name."""
    return {
        "id": "job",
        "name": "Job",
        "input": {"name": "str", "fail": "bool", "slow": "bool"},
        "output": "str",
        "nodes": [
            node("start", "start"),
            node("broken", "condition", expression="input.fail"),
            node("boom", "fail", message="job {input.name} broke", error_type="JobFailed"),
            node("which", "condition", expression="input.slow"),
            node("long_nap", "timer", duration="5s"),
            node("nap", "timer", duration="0.3s"),
            node("slow_done", "end", value="input.name"),
            node("done", "end", value="input.name"),
        ],
        "edges": [
            edge("start", "broken"),
            edge("broken", "boom", "true"),
            edge("broken", "which", "false"),
            edge("which", "long_nap", "true"),
            edge("long_nap", "slow_done"),
            edge("which", "nap", "false"),
            edge("nap", "done"),
        ],
    }


def builds_workflow() -> dict[str, Any]:
    """`builds`: keeps its input's tasks in state (a set_state step), then spawns one `job`
    per task in dependency order, at most `input.limit` at once, going on after a failure."""
    return {
        "id": "builds",
        "name": "Builds",
        "input": {"run": "str", "limit": "int", "tasks": "list[Task]"},
        "output": "dict[str, Any]",
        "state": [{"name": "order", "type": "list[Task]", "default": []}],
        "nodes": [
            node("start", "start"),
            node(
                "keep",
                "set_state",
                assignments=[{"target": "state.order", "value": "input.tasks"}],
            ),
            node(
                "spawn",
                "spawn_children",
                "Build all",
                workflow="job",
                items="state.order",
                key="item.name",
                args={"name": "item.name", "fail": "item.fail", "slow": "item.slow"},
                id_template="{input.run}-{item.name}",
                depends_on="item.deps",
                concurrency_from="input.limit",
                failure_policy="continue",
                result="outcome",
            ),
            node("finish", "end", value="outcome"),
        ],
        "edges": chain("start", "keep", "spawn", "finish"),
    }


def fan_out_workflow() -> dict[str, Any]:
    """`fanout`: one `job` per task, one at a time, going on after a failure: no dependencies
    and a fixed limit, so it compiles to a bounded gather without a progress query."""
    return {
        "id": "fanout",
        "name": "Fan out",
        "input": {"run": "str", "tasks": "list[Task]"},
        "output": "dict[str, Any]",
        "nodes": [
            node("start", "start"),
            node(
                "spawn",
                "spawn_children",
                "Run all",
                workflow="job",
                items="input.tasks",
                key="item.name",
                args={"name": "item.name", "fail": "item.fail", "slow": "item.slow"},
                id_template="{input.run}-{item.name}",
                concurrency=1,
                failure_policy="continue",
                result="outcome",
            ),
            node("finish", "end", value="outcome"),
        ],
        "edges": chain("start", "spawn", "finish"),
    }


def consumer_workflow() -> dict[str, Any]:
    """`consumer`: a work queue of names fed by `push`, one at a time, paused and resumed by
    signals, a failed item tried twice; continues-as-new past 50 events; `queue` and
    `progress` queries."""

    def flag(name: str, field: str, value: str) -> list[dict[str, Any]]:
        return [
            node(name, "signal", name=name),
            node(f"set_{name}", "set_state", assignments=[{"target": field, "value": value}]),
        ]

    return {
        "id": "consumer",
        "name": "Consumer",
        "input": {},
        "output": "int",
        "state": [
            {"name": "queue", "type": "list[str]", "default": []},
            {"name": "paused", "type": "bool", "default": False},
            {"name": "draining", "type": "bool", "default": False},
        ],
        "nodes": [
            node("start", "start"),
            node(
                "consume",
                "work_queue",
                "Consume",
                queue="queue",
                workflow="job",
                key="item",
                args={"name": "item", "fail": "'bad' in item", "slow": "'slow' in item"},
                id_template="job-{workflow_id}-{item}",
                concurrency=1,
                paused_when="state.paused",
                drain_when="state.draining",
                max_attempts=2,
                retry_initial="1s",
                history_limit=50,
            ),
            node("finish", "end", value="state.progress.completed"),
            node("push", "signal", name="push", params={"items": "list[str]"}),
            node(
                "store",
                "set_state",
                assignments=[{"target": "state.queue", "value": "state.queue + payload.items"}],
            ),
            *flag("pause", "state.paused", "True"),
            *flag("resume", "state.paused", "False"),
            *flag("drain", "state.draining", "True"),
            node("queued", "query", name="queue", value="state.queue", returns="list[str]"),
            node("progress", "query", name="progress", value="state.progress"),
        ],
        "edges": chain("start", "consume", "finish")
        + chain("push", "store")
        + [edge(name, f"set_{name}") for name in ("pause", "resume", "drain")],
    }


def children_project(project_id: str) -> dict[str, Any]:
    return project(
        project_id,
        [builds_workflow(), consumer_workflow(), job_workflow(), fan_out_workflow()],
        types={
            "Task": {"fields": {"name": "str", "deps": "list[str]", "fail": "bool", "slow": "bool"}}
        },
    )


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeApp]:
    factory = RuntimeAppFactory([])
    try:
        yield factory.start(runtime_settings(tmp_path_factory.mktemp("children")))
    finally:
        factory.stop_all()


@pytest.fixture(scope="module")
def deployment(shared_app: RuntimeApp) -> dict[str, Any]:
    return deploy(shared_app.api, children_project(unique_id("kids")))


def start(api: TestClient, deployment_id: str, workflow: str, **input: Any) -> str:
    answer = api.post(
        f"/api/deployments/{deployment_id}/runs", json={"workflow": workflow, "input": input}
    )
    assert answer.status_code == 201, answer.text
    workflow_id: str = answer.json()["workflow_id"]
    return workflow_id


def view(api: TestClient, workflow_id: str, node_id: str) -> dict[str, Any]:
    answer = api.get(f"/api/runs/{workflow_id}/nodes/{node_id}/children")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def by_key(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in found["items"]}


def task(name: str, *deps: str, fail: bool = False, slow: bool = False) -> dict[str, Any]:
    return {"name": name, "deps": list(deps), "fail": fail, "slow": slow}


def test_a_spawn_shows_its_items_graph_waiting_running_done_failed_and_skipped(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    api = shared_app.api
    run = unique_id("b")
    tasks = [
        task("a"),
        task("b", "a", slow=True),
        task("c", "a", fail=True),
        task("d", "b", "c"),
        task("e", slow=True),
    ]
    workflow_id = start(api, deployment["id"], "builds", run=run, limit=2, tasks=tasks)
    try:
        # a is done, b and e (slow) fill both slots: c waits for the limit, d for b and c
        def two_running(found: dict[str, Any]) -> bool:
            items = by_key(found)
            started = [key for key in ("b", "e") if items.get(key, {}).get("run_id")]
            return items.get("a", {}).get("status") == "completed" and len(started) == 2

        during = wait_for(
            lambda: found if two_running(found := view(api, workflow_id, "spawn")) else None,
            "a to complete and b and e to run",
        )
        finished = wait_for(
            lambda: found if (found := view(api, workflow_id, "spawn"))["closed"] else None,
            "the run to close",
        )
    finally:
        api.post(f"/api/runs/{workflow_id}/terminate", json={"reason": "test ended"})

    items = by_key(during)
    assert during["kind"] == "spawn_children"
    assert during["child_workflow"] == "job"
    assert during["node_status"] == "running"
    assert during["limit"] == 2
    assert during["limit_from"] == "input.limit"
    assert during["has_dependencies"] and during["dependencies_known"]
    assert list(items) == ["a", "b", "c", "d", "e"]  # in the list's order
    assert sorted((e["source"], e["target"]) for e in during["edges"]) == [
        ("a", "b"),
        ("a", "c"),
        ("b", "d"),
        ("c", "d"),
    ]
    assert items["b"]["status"] == items["e"]["status"] == "running"
    assert items["b"]["workflow_id"] == f"{run}-b"
    assert items["b"]["run_id"]
    assert items["c"]["status"] == "waiting"
    assert items["c"]["waiting_for"] == "limit"
    assert items["c"]["workflow_id"] == f"{run}-c"  # from the id template, before it starts
    assert items["d"]["status"] == "waiting"
    assert items["d"]["waiting_for"] == "dependencies"
    assert items["d"]["blocked_by"] == ["b", "c"]
    assert during["counts"] == {"completed": 1, "running": 2, "waiting": 2}
    assert during["sources"]["order"] == "set_state keep"

    done = by_key(finished)
    assert finished["run_status"] == "COMPLETED"
    assert finished["running"] == 0
    assert {k: v["status"] for k, v in done.items()} == {
        "a": "completed",
        "b": "completed",
        "c": "failed",
        "d": "skipped",
        "e": "completed",
    }
    assert done["c"]["error"] == "job c broke"
    assert done["c"]["attempts"] == 1
    assert done["a"]["started_at"] and done["a"]["ended_at"]
    assert done["d"]["started_at"] is None


def test_a_simple_fan_out_shows_its_items_from_the_history_alone(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    api = shared_app.api
    run = unique_id("f")
    tasks = [task("a", slow=True), task("b", fail=True), task("c")]
    workflow_id = start(api, deployment["id"], "fanout", run=run, tasks=tasks)
    try:
        during = wait_for(
            lambda: (
                found
                if by_key(found := view(api, workflow_id, "spawn")).get("a", {}).get("run_id")
                else None
            ),
            "a to run",
        )
        finished = wait_for(
            lambda: found if (found := view(api, workflow_id, "spawn"))["closed"] else None,
            "the run to close",
        )
    finally:
        api.post(f"/api/runs/{workflow_id}/terminate", json={"reason": "test ended"})

    items = by_key(during)
    assert list(items) == ["a", "b", "c"]
    assert items["a"]["status"] == "running"
    assert items["b"]["status"] == items["c"]["status"] == "waiting"
    assert items["c"]["workflow_id"] == f"{run}-c"
    assert during["limit"] == 1
    assert {k: v["status"] for k, v in by_key(finished).items()} == {
        "a": "completed",
        "b": "failed",
        "c": "completed",
    }
    assert by_key(finished)["b"]["error"] == "job b broke"


def test_a_work_queue_shows_its_queue_pause_retries_and_earlier_runs(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    api = shared_app.api
    workflow_id = start(api, deployment["id"], "consumer")

    def signal(name: str, payload: dict[str, Any] | None = None) -> None:
        answer = api.post(
            f"/api/runs/{workflow_id}/signal", json={"name": name, "payload": payload}
        )
        assert answer.status_code == 202, answer.text

    try:
        signal("push", {"items": ["slow-1", "x2", "bad3"]})
        busy = wait_for(
            lambda: (
                found
                if by_key(found := view(api, workflow_id, "consume"))
                .get("slow-1", {})
                .get("status")
                == "running"
                and found["queue"]["queued"] == 2
                else None
            ),
            "slow-1 to run with two queued",
        )
        signal("pause")
        paused = wait_for(
            lambda: (
                found if (found := view(api, workflow_id, "consume"))["queue"]["paused"] else None
            ),
            "the queue to show paused",
        )
        signal("resume")
        signal("push", {"items": [f"x{n}" for n in range(4, 12)]})
        # for a moment after its first attempt fails the child's own status is failed, before
        # the queue has noted the retry: wait for the second attempt's failure
        retried = wait_for(
            lambda: (
                found
                if (bad := by_key(found := view(api, workflow_id, "consume")).get("bad3", {})).get(
                    "status"
                )
                == "failed"
                and bad.get("attempts") == 2
                else None
            ),
            "bad3 to fail for good",
        )
        wait_for(
            lambda: view(api, workflow_id, "consume")["counts"].get("completed") == 10,
            "every other item to complete",
        )
        signal("drain")
        finished = wait_for(
            lambda: found if (found := view(api, workflow_id, "consume"))["closed"] else None,
            "the queue to drain",
        )
    finally:
        api.post(f"/api/runs/{workflow_id}/terminate", json={"reason": "test ended"})

    assert busy["kind"] == "work_queue"
    assert busy["limit"] == 1 and busy["running"] == 1
    assert busy["has_dependencies"] is False
    assert busy["queue"]["live_queue"] is True
    assert busy["sources"]["queue"] == "query queue"
    assert [i["key"] for i in busy["items"]][:3] == ["slow-1", "x2", "bad3"]
    queued = by_key(busy)
    assert queued["x2"]["status"] == "waiting"
    assert queued["x2"]["waiting_for"] == "limit"
    assert queued["x2"]["workflow_id"] == f"job-{workflow_id}-x2"
    assert busy["queue"]["stats"]["started"] >= 1
    assert paused["queue"]["paused"] is True
    assert all(
        item["waiting_for"] == "paused" for item in paused["items"] if item["status"] == "waiting"
    )
    bad = by_key(retried)["bad3"]
    assert bad["attempts"] == 2
    assert bad["error"] == "job bad3 broke"
    assert finished["run_status"] == "COMPLETED"
    assert finished["runs_read"] >= 2  # it continued-as-new past 50 events
    assert finished["counts"] == {"completed": 10, "failed": 1}
    assert finished["total"] == 11


def test_unknown_nodes_runs_and_kinds_are_refused(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    api = shared_app.api
    workflow_id = start(
        api, deployment["id"], "builds", run=unique_id("r"), limit=1, tasks=[task("only")]
    )
    try:
        wait_for(
            lambda: view(api, workflow_id, "spawn")["closed"],
            "the one-item run to close",
        )
        missing_node = api.get(f"/api/runs/{workflow_id}/nodes/nope/children")
        wrong_kind = api.get(f"/api/runs/{workflow_id}/nodes/keep/children")
        missing_run = api.get(f"/api/runs/{unique_id('none')}/nodes/spawn/children")
        # an id holding "/" (package-build-@scope/name) reaches the route, not a 404 of routing
        slashed = api.get(f"/api/runs/{unique_id('none')}-@scope/name/nodes/spawn/children")
    finally:
        api.post(f"/api/runs/{workflow_id}/terminate", json={"reason": "test ended"})
    assert missing_node.status_code == 404
    assert "no node 'nope'" in missing_node.json()["detail"]
    assert wrong_kind.status_code == 422
    assert "'set_state' node" in wrong_kind.json()["detail"]
    assert wrong_kind.json()["diagnostics"][0]["node_id"] == "keep"
    assert missing_run.status_code == 404
    assert slashed.status_code == 404
    assert slashed.json()["detail"] != "Not Found", slashed.json()
    assert "@scope/name" in slashed.json()["detail"]

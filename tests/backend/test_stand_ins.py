"""Test runs with stand-ins: a node's activity calls answer with a given result or failure
instead of running, for one run, without touching the document. On the embedded Temporal,
through the runs API, with the project's own activity code that leaves a mark when it runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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

USER_CODE = """
from pathlib import Path


async def charge(input):
    Path(input.folder, "charged").write_text("the real charge ran")
    return {"id": "real-receipt", "amount": 100}


async def tag(input):
    Path(input.folder, f"tagged-{input.item}").write_text("the real tag ran")
    return f"real:{input.item}"
"""


def payment_project(project_id: str) -> dict[str, Any]:
    """`pay`: charge (retried up to 3 times, 1 s apart), then tag each item in a loop; both
    activities are the project's own code, which writes a file into `input.folder`."""
    return project(
        project_id,
        [
            {
                "id": "pay",
                "name": "Pay",
                "input": {"folder": "str", "items": "list[str]"},
                "output": "dict[str, Any]",
                "state": [{"name": "tags", "type": "list[str]", "default": []}],
                "nodes": [
                    node("start", "start"),
                    node(
                        "charge",
                        "activity",
                        "Charge",
                        activity="charge",
                        args={"folder": "input.folder"},
                        result="receipt",
                        retry={
                            "initial_interval": "1s",
                            "backoff_coefficient": 1.0,
                            "maximum_attempts": 3,
                        },
                    ),
                    node("each", "loop", "Each item", items="input.items", concurrency=2),
                    node(
                        "tag",
                        "activity",
                        "Tag",
                        parent="each",
                        activity="tag",
                        args={"folder": "input.folder", "item": "item"},
                        result="tagged",
                    ),
                    node(
                        "record",
                        "set_state",
                        parent="each",
                        assignments=[{"target": "state.tags", "value": "state.tags + [tagged]"}],
                    ),
                    node(
                        "finish",
                        "end",
                        value="{'receipt': receipt.id, 'amount': receipt.amount, "
                        "'tags': sorted(state.tags)}",
                    ),
                ],
                "edges": [
                    *chain("start", "charge", "each"),
                    *chain("tag", "record"),
                    edge("each", "finish"),
                ],
            }
        ],
        activities=[
            {
                "name": "charge",
                "input": {"folder": "str"},
                "output": "Receipt",
                "implementation": {"kind": "python", "function": "payments:charge"},
            },
            {
                "name": "tag",
                "input": {"folder": "str", "item": "str"},
                "output": "str",
                "implementation": {"kind": "python", "function": "payments:tag"},
            },
        ],
        types={"Receipt": {"fields": {"id": "str", "amount": "int"}}},
    )


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeApp]:
    factory = RuntimeAppFactory([])
    try:
        yield factory.start(runtime_settings(tmp_path_factory.mktemp("stand-ins")))
    finally:
        factory.stop_all()


@pytest.fixture(scope="module")
def deployment(shared_app: RuntimeApp) -> dict[str, Any]:
    project_id = unique_id("payments")
    code = shared_app.settings.data_dir / "code" / project_id
    code.mkdir(parents=True)
    (code / "payments.py").write_text(USER_CODE)
    return deploy(shared_app.api, payment_project(project_id))


def start(
    api: TestClient, deployment_id: str, folder: Path, items: list[str], **body: Any
) -> dict[str, Any]:
    answer = api.post(
        f"/api/deployments/{deployment_id}/runs",
        json={"workflow": "pay", "input": {"folder": str(folder), "items": items}, **body},
    )
    assert answer.status_code == 201, answer.text
    started: dict[str, Any] = answer.json()
    return started


def ended(api: TestClient, workflow_id: str, run_id: str | None = None) -> dict[str, Any]:
    """The run's description once it has ended."""

    def closed() -> dict[str, Any] | None:
        params = {"run_id": run_id} if run_id else {}
        answer = api.get(f"/api/runs/{workflow_id}", params=params)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found if found["status"] != "RUNNING" else None

    return wait_for(closed, f"run {workflow_id!r} to end")


def test_a_stand_in_result_replaces_the_activity_in_every_call(
    shared_app: RuntimeApp, deployment: dict[str, Any], tmp_path: Path
) -> None:
    api = shared_app.api
    stand_ins = {
        "charge": {"result": {"id": "stand-in-receipt", "amount": 7}},
        "tag": {"result": "pinned"},
    }
    started = start(api, deployment["id"], tmp_path, ["a", "b", "c"], stand_ins=stand_ins)
    assert started["stand_ins"] == ["charge", "tag"]

    run = ended(api, started["workflow_id"])

    assert run["status"] == "COMPLETED", run
    assert run["result"] == {
        "receipt": "stand-in-receipt",
        "amount": 7,
        "tags": ["pinned", "pinned", "pinned"],
    }
    assert list(tmp_path.iterdir()) == [], "the real activities ran"
    assert run["stand_ins"] == stand_ins
    charge = run["nodes"]["charge"]
    assert charge["status"] == "completed"
    assert charge["output"] == {"id": "stand-in-receipt", "amount": 7}
    assert run["nodes"]["tag"]["count"] == 3
    assert run["nodes"]["tag"]["status"] == "completed"

    def listed() -> dict[str, Any] | None:
        answer = api.get(f"/api/deployments/{deployment['id']}/runs")
        assert answer.status_code == 200, answer.text
        found = [r for r in answer.json() if r["workflow_id"] == started["workflow_id"]]
        return found[0] if found else None

    assert wait_for(listed, "the run to be listed")["stand_ins"] == ["charge", "tag"]


def test_a_run_without_stand_ins_runs_the_real_activities(
    shared_app: RuntimeApp, deployment: dict[str, Any], tmp_path: Path
) -> None:
    api = shared_app.api
    started = start(api, deployment["id"], tmp_path, ["a"])
    assert started["stand_ins"] == []

    run = ended(api, started["workflow_id"])

    assert run["status"] == "COMPLETED", run
    assert run["result"] == {"receipt": "real-receipt", "amount": 100, "tags": ["real:a"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charged", "tagged-a"]
    assert run["stand_ins"] == {}


def test_a_non_retryable_stand_in_failure_fails_the_run_at_its_node(
    shared_app: RuntimeApp, deployment: dict[str, Any], tmp_path: Path
) -> None:
    api = shared_app.api
    failure = {"message": "card declined (stand-in)", "type": "Declined", "non_retryable": True}
    stand_ins = {"charge": {"error": failure}}
    started = start(api, deployment["id"], tmp_path, ["a"], stand_ins=stand_ins)

    run = ended(api, started["workflow_id"])

    assert run["status"] == "FAILED", run
    charge = run["nodes"]["charge"]
    assert charge["status"] == "failed"
    assert charge["error"] == "card declined (stand-in)"
    assert charge["attempt"] == 1
    assert run["first_failure"]["node_id"] == "charge"
    assert "card declined (stand-in)" in run["first_failure"]["message"]
    assert run["nodes"]["tag"]["status"] == "not_reached"
    assert list(tmp_path.iterdir()) == []


def test_a_retryable_stand_in_failure_is_retried_per_the_nodes_policy(
    shared_app: RuntimeApp, deployment: dict[str, Any], tmp_path: Path
) -> None:
    api = shared_app.api
    stand_ins = {"charge": {"error": {"message": "gateway busy"}}}
    started = start(api, deployment["id"], tmp_path, ["a"], stand_ins=stand_ins)

    run = ended(api, started["workflow_id"])

    assert run["status"] == "FAILED", run
    charge = run["nodes"]["charge"]
    assert charge["status"] == "failed"
    assert charge["attempt"] == 3, charge  # the node's retry policy: 3 attempts
    assert charge["error"] == "gateway busy"
    assert "after 3 attempts" in run["first_failure"]["message"]
    assert list(tmp_path.iterdir()) == []


def test_a_rerun_keeps_the_stand_ins(
    shared_app: RuntimeApp, deployment: dict[str, Any], tmp_path: Path
) -> None:
    api = shared_app.api
    stand_ins = {"charge": {"result": {"id": "again", "amount": 1}}}
    started = start(api, deployment["id"], tmp_path, ["a"], stand_ins=stand_ins)
    first = ended(api, started["workflow_id"])
    assert first["status"] == "COMPLETED", first

    answer = api.post(f"/api/runs/{started['workflow_id']}/rerun")
    assert answer.status_code == 201, answer.text
    again = answer.json()
    assert again["stand_ins"] == ["charge"]
    second = ended(api, again["workflow_id"], again["run_id"])

    assert second["status"] == "COMPLETED", second
    assert second["run_id"] != first["run_id"]
    assert second["result"]["receipt"] == "again"
    assert second["stand_ins"] == stand_ins
    # tag ran for real both times; charge never did
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tagged-a"]


@pytest.mark.parametrize(
    ("stand_ins", "field", "reason"),
    [
        ({"nope": {"result": 1}}, "stand_ins.nope", "has no node 'nope'"),
        ({"finish": {"result": 1}}, "stand_ins.finish", "calls no activity"),
        ({"each": {"error": {"message": "x"}}}, "stand_ins.each", "calls no activity"),
        (
            {"charge": {"result": {"id": "r", "amount": "lots"}}},
            "stand_ins.charge",
            "returns Receipt",
        ),
        ({"tag": {"result": 3}}, "stand_ins.tag", "must be text"),
        ({"charge": {"result": {"id": "r"}}}, "stand_ins.charge", "amount"),
        ({"tag": {"result": "x" * 40_000}}, "stand_ins.tag", "bytes as JSON"),
        ({"tag": {}}, "stand_ins.tag", "either `result` or `error`"),
        ({"tag": {"result": "x", "error": {"message": "y"}}}, "stand_ins.tag", "either"),
        ({"tag": {"error": {"message": ""}}}, "stand_ins.tag.error.message", ""),
    ],
)
def test_bad_stand_ins_are_422_naming_the_node_and_start_nothing(
    shared_app: RuntimeApp,
    deployment: dict[str, Any],
    tmp_path: Path,
    stand_ins: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    api = shared_app.api
    workflow_id = unique_id("refused")
    answer = api.post(
        f"/api/deployments/{deployment['id']}/runs",
        json={
            "workflow": "pay",
            "input": {"folder": str(tmp_path), "items": []},
            "workflow_id": workflow_id,
            "stand_ins": stand_ins,
        },
    )

    assert answer.status_code == 422, answer.text
    diagnostics = answer.json()["diagnostics"]
    assert [d["field"] for d in diagnostics] == [field], diagnostics
    assert reason in diagnostics[0]["message"], diagnostics
    assert api.get(f"/api/runs/{workflow_id}").status_code == 404

"""The runs API on the embedded Temporal: start (input checked first), list, describe with
per-node states, signal, update, query, cancel, terminate, re-run and the live event stream."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from tests.backend.runtime_support import (
    RuntimeApp,
    RuntimeAppFactory,
    deploy,
    runtime_settings,
    temporal_client,
    wait_for,
)
from tests.support.harness import chain, edge, node, project, unique_id


def order_project(project_id: str) -> dict[str, Any]:
    """`order`: reserve (simulated), a 1 s pause, then an approval gate the `decide` update
    answers (`yes` or `no`); a `note` signal keeps notes that the `notes` query reads."""

    def assign(node_id: str, target: str, value: str) -> dict[str, Any]:
        return node(node_id, "set_state", assignments=[{"target": target, "value": value}])

    return project(
        project_id,
        [
            {
                "id": "order",
                "name": "Order",
                "input": {
                    "item": "str",
                    "qty": "int",
                    "note": "str",
                    "speed": "Literal['normal', 'rush']",
                },
                "input_defaults": {"note": "", "speed": "normal"},
                "output": "str",
                "state": [
                    {"name": "decision", "type": "str", "default": ""},
                    {"name": "notes", "type": "list[str]", "default": []},
                ],
                "settings": {"id_template": "order-{input.item}-{input.qty}"},
                "nodes": [
                    node("start", "start"),
                    node(
                        "reserve",
                        "activity",
                        "Reserve",
                        activity="reserve",
                        args={"item": "input.item", "qty": "input.qty"},
                        result="reserved",
                    ),
                    node("pause", "timer", "Pause", duration="1s"),
                    node(
                        "gate",
                        "wait",
                        "Approval",
                        gate="approval",
                        approved_when="state.decision == 'yes'",
                        rejected_when="state.decision == 'no'",
                        timeout="10m",
                    ),
                    node("done", "end", value="reserved"),
                    node("refused", "end", value="'refused'"),
                    node("expired", "end", value="'expired'"),
                    node("note", "signal", "Note", name="note", params={"text": "str"}),
                    assign("keep", "state.notes", "state.notes + [payload.text]"),
                    node(
                        "decide",
                        "update",
                        "Decide",
                        name="decide",
                        params={"decision": "Literal['yes', 'no']"},
                        returns="str",
                    ),
                    assign("store", "state.decision", "payload.decision"),
                    node("reply", "end", value="'noted ' + payload.decision"),
                    node("notes", "query", "Notes", name="notes", value="state.notes"),
                ],
                "edges": [
                    *chain("start", "reserve", "pause", "gate"),
                    edge("gate", "done", "approved"),
                    edge("gate", "refused", "rejected"),
                    edge("gate", "expired", "timeout"),
                    *chain("note", "keep"),
                    *chain("decide", "store", "reply"),
                ],
            }
        ],
        activities=[
            {
                "name": "reserve",
                "input": {"item": "str", "qty": "int"},
                "output": "str",
                "implementation": {
                    "kind": "simulate",
                    "result": "reserved {qty} {item}",
                    "delay_seconds": 0.2,
                },
            }
        ],
    )


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeApp]:
    factory = RuntimeAppFactory([])
    try:
        yield factory.start(runtime_settings(tmp_path_factory.mktemp("runs")))
    finally:
        factory.stop_all()


@pytest.fixture(scope="module")
def deployment(shared_app: RuntimeApp) -> dict[str, Any]:
    return deploy(shared_app.api, order_project(unique_id("orders")))


def start(api: TestClient, deployment_id: str, **input: Any) -> dict[str, Any]:
    answer = api.post(
        f"/api/deployments/{deployment_id}/runs", json={"workflow": "order", "input": input}
    )
    assert answer.status_code == 201, answer.text
    started: dict[str, Any] = answer.json()
    return started


def run_state(api: TestClient, workflow_id: str, **params: str) -> dict[str, Any]:
    answer = api.get(f"/api/runs/{workflow_id}", params=params)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def wait_for_node(api: TestClient, workflow_id: str, node_id: str, status: str) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        found = run_state(api, workflow_id)
        return found if found["nodes"][node_id]["status"] == status else None

    return wait_for(reached, f"node {node_id} of {workflow_id} to be {status}")


def wait_for_status(api: TestClient, workflow_id: str, status: str) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        found = run_state(api, workflow_id)
        return found if found["status"] == status else None

    return wait_for(reached, f"{workflow_id} to be {status}")


def listed(api: TestClient, deployment_id: str, **params: str) -> list[dict[str, Any]]:
    answer = api.get(f"/api/deployments/{deployment_id}/runs", params=params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def test_a_bad_input_is_refused_naming_the_field_and_no_run_starts(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    api = shared_app.api
    url = f"/api/deployments/{deployment['id']}/runs"
    bad = {
        "input.qty": {"item": "pen"},
        "input.item": {"item": 3, "qty": 1},
        "input.colour": {"item": "pen", "qty": 1, "colour": "red"},
        "input.speed": {"item": "pen", "qty": 1, "speed": "slow"},
    }
    tried = []
    for field, value in bad.items():
        workflow_id = unique_id("bad")
        tried.append(workflow_id)
        answer = api.post(
            url, json={"workflow": "order", "input": value, "workflow_id": workflow_id}
        )
        assert answer.status_code == 422, answer.text
        assert [d["field"] for d in answer.json()["diagnostics"]] == [field]
        assert field in answer.json()["detail"]
        if field == "input.speed":
            assert "must be one of 'normal', 'rush', not 'slow'" in answer.json()["detail"]
    unknown = api.post(url, json={"workflow": "nope", "input": {}})
    assert unknown.status_code == 404
    assert "order" in unknown.json()["detail"]
    listing = api.get(url, params={"workflow": "nope"})
    assert listing.status_code == 404
    assert "order" in listing.json()["detail"]

    good = start(api, deployment["id"], item=unique_id("pen"), qty=1)

    def listing_the_good_run() -> list[dict[str, Any]] | None:
        found = listed(api, deployment["id"])
        return found if any(r["workflow_id"] == good["workflow_id"] for r in found) else None

    runs = wait_for(listing_the_good_run, "the good run to be listed")
    assert not {r["workflow_id"] for r in runs} & set(tried)
    for workflow_id in tried:
        assert api.get(f"/api/runs/{workflow_id}").status_code == 404
    api.post(f"/api/runs/{good['workflow_id']}/terminate", json={"reason": "done"})


def test_a_run_is_signalled_queried_and_approved_by_an_update(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    api = shared_app.api
    item = unique_id("pen")
    started = start(api, deployment["id"], item=item, qty=2)
    workflow_id = started["workflow_id"]

    assert workflow_id == f"order-{item}-2"  # from the id template, as the starter makes it
    assert started["web_url"].endswith(f"/workflows/{workflow_id}/{started['run_id']}/history")
    waiting = wait_for_node(api, workflow_id, "gate", "waiting")
    assert waiting["status"] == "RUNNING"
    assert waiting["deployment_id"] == deployment["id"]
    assert waiting["workflow"] == "order"
    assert waiting["nodes"]["reserve"]["status"] == "completed"
    assert waiting["nodes"]["reserve"]["output"] == f"reserved 2 {item}"
    assert waiting["nodes"]["pause"]["status"] == "completed"
    assert waiting["nodes"]["done"]["status"] == "not_reached"
    runs = wait_for(
        lambda: [
            r
            for r in listed(api, deployment["id"], status="RUNNING")
            if r["workflow_id"] == workflow_id
        ],
        "the run to be listed",
    )
    assert runs[0]["workflow"] == "order"
    assert runs[0]["run_id"] == started["run_id"]

    signal_url = f"/api/runs/{workflow_id}/signal"
    mistyped = api.post(signal_url, json={"name": "note", "payload": {"text": 3}})
    unknown = api.post(signal_url, json={"name": "shout", "payload": {}})
    sent = api.post(signal_url, json={"name": "note", "payload": {"text": "gift wrap"}})
    notes = wait_for(
        lambda: (
            (answer := api.post(f"/api/runs/{workflow_id}/query", json={"name": "notes"}).json())[
                "result"
            ]
            and answer["result"]
        ),
        "the note to be kept",
    )
    gates = api.post(f"/api/runs/{workflow_id}/query", json={"name": "pending_gates"})
    rejected = api.post(
        f"/api/runs/{workflow_id}/update", json={"name": "decide", "payload": {"choice": "yes"}}
    )
    unchosen = api.post(
        f"/api/runs/{workflow_id}/update", json={"name": "decide", "payload": {"decision": "ok"}}
    )
    decided = api.post(
        f"/api/runs/{workflow_id}/update", json={"name": "decide", "payload": {"decision": "yes"}}
    )
    finished = wait_for_status(api, workflow_id, "COMPLETED")

    assert mistyped.status_code == 422
    assert [d["field"] for d in mistyped.json()["diagnostics"]] == ["payload.text"]
    assert unknown.status_code == 422
    assert "'note'" in unknown.json()["detail"]
    assert sent.status_code == 202, sent.text
    assert notes == ["gift wrap"]
    assert gates.status_code == 200
    assert [gate["gate"] for gate in gates.json()["result"]] == ["approval"]
    assert rejected.status_code == 422
    assert unchosen.status_code == 422
    assert [d["field"] for d in unchosen.json()["diagnostics"]] == ["payload.decision"]
    assert "one of 'yes', 'no'" in unchosen.json()["detail"]
    assert decided.status_code == 200, decided.text
    assert decided.json()["result"] == "noted yes"
    assert finished["result"] == f"reserved 2 {item}"
    assert finished["failure"] is None
    assert finished["close_time"] is not None
    nodes = finished["nodes"]
    assert nodes["gate"]["status"] == "completed"
    assert nodes["note"]["status"] == "completed"
    assert nodes["decide"]["status"] == "completed"
    assert nodes["refused"]["status"] == "not_reached"
    closed = api.post(signal_url, json={"name": "note", "payload": {"text": "late"}})
    assert closed.status_code == 409


def test_a_cancelled_run_ends_canceled_and_a_terminated_one_runs_again(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    api = shared_app.api
    cancelled = start(api, deployment["id"], item=unique_id("cup"), qty=1)
    terminated = start(api, deployment["id"], item=unique_id("mug"), qty=3, note="fragile")
    wait_for_node(api, cancelled["workflow_id"], "gate", "waiting")
    wait_for_node(api, terminated["workflow_id"], "gate", "waiting")

    answer = api.post(f"/api/runs/{cancelled['workflow_id']}/cancel")
    ended = wait_for_status(api, cancelled["workflow_id"], "CANCELED")
    again = api.post(f"/api/runs/{cancelled['workflow_id']}/cancel")
    stopped = api.post(
        f"/api/runs/{terminated['workflow_id']}/terminate", json={"reason": "wrong mug"}
    )
    gone = wait_for_status(api, terminated["workflow_id"], "TERMINATED")
    rerun = api.post(f"/api/runs/{terminated['workflow_id']}/rerun")

    assert answer.status_code == 202
    assert ended["nodes"]["gate"]["status"] == "cancelled"
    assert ended["nodes"]["reserve"]["status"] == "completed"
    assert again.status_code == 409
    assert stopped.status_code == 200
    assert "wrong mug" in gone["failure"]
    assert rerun.status_code == 201, rerun.text
    assert rerun.json()["workflow_id"] == terminated["workflow_id"]
    assert rerun.json()["run_id"] != terminated["run_id"]
    again_waiting = wait_for_node(api, terminated["workflow_id"], "gate", "waiting")
    assert again_waiting["run_id"] == rerun.json()["run_id"]
    assert again_waiting["nodes"]["reserve"]["input"] == {
        "item": terminated["workflow_id"].split("-", 1)[1].rsplit("-", 1)[0],
        "qty": 3,
    }
    earlier = run_state(api, terminated["workflow_id"], run_id=terminated["run_id"])
    assert earlier["status"] == "TERMINATED"
    api.post(f"/api/runs/{terminated['workflow_id']}/terminate", json={"reason": "done"})


def read_events(api: TestClient, url: str, into: list[tuple[str, dict[str, Any]]]) -> None:
    with api.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[len("event: ") :]
            elif line.startswith("data: "):
                into.append((kind, json.loads(line[len("data: ") :])))
                if kind == "end":
                    return


def test_the_event_stream_gives_a_snapshot_changes_and_the_end(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    api = shared_app.api
    started = start(api, deployment["id"], item=unique_id("box"), qty=4)
    workflow_id = started["workflow_id"]
    events: list[tuple[str, dict[str, Any]]] = []
    reader = threading.Thread(
        target=read_events, args=(api, f"/api/runs/{workflow_id}/events", events), daemon=True
    )
    reader.start()
    try:
        wait_for(
            lambda: any(
                data["nodes"].get("gate", {}).get("status") == "waiting"
                for kind, data in list(events)
                if kind in ("snapshot", "nodes")
            ),
            "the stream to show the gate waiting",
        )
        decided = api.post(
            f"/api/runs/{workflow_id}/update",
            json={"name": "decide", "payload": {"decision": "no"}},
        )
        assert decided.status_code == 200, decided.text
        wait_for(lambda: events and events[-1][0] == "end", "the end event")
    finally:
        if reader.is_alive():
            api.post(f"/api/runs/{workflow_id}/terminate", json={"reason": "test ended"})
        reader.join(timeout=30)

    kinds = [kind for kind, _ in events]
    assert kinds[0] == "snapshot"
    assert kinds[-1] == "end"
    assert "nodes" in kinds
    assert set(events[0][1]["nodes"]) >= {"reserve", "gate", "done"}
    updates = [data for kind, data in events if kind == "nodes"]
    assert all(data["event_time"] for data in updates)
    assert any(
        data["nodes"].get("reserve", {}).get("status") == "completed"
        for kind, data in events
        if kind != "end"
    )
    assert events[-1][1]["outcome"] == "completed"
    assert events[-1][1]["result"] == "refused"
    final = {**events[0][1]["nodes"]}
    for data in updates:
        final.update(data["nodes"])
    assert final["gate"]["status"] == "completed"
    assert final["decide"]["status"] == "completed"


def documented(api: TestClient, name: str) -> jsonschema_rs.Draft202012Validator:
    """A validator of the OpenAPI document's schema `name`, as the server serves the document."""
    components = api.get("/openapi.json").json()["components"]
    schema = {"$ref": f"#/components/schemas/{name}", "components": components}
    return jsonschema_rs.Draft202012Validator(
        schema, pattern_options=jsonschema_rs.FancyRegexOptions()
    )


def test_run_answers_and_stream_events_are_what_the_api_document_says(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    """The editor's types are generated from the document: a run's description, the runs
    list, a query's answer and every event of the stream must fit it."""
    api = shared_app.api
    started = start(api, deployment["id"], item=unique_id("doc"), qty=2)
    workflow_id = started["workflow_id"]
    waiting = wait_for_node(api, workflow_id, "gate", "waiting")
    documented(api, "RunPublic").validate(waiting)
    runs = listed(api, deployment["id"], workflow="order")
    assert any(item["workflow_id"] == workflow_id for item in runs)
    for item in runs:
        documented(api, "RunListItemPublic").validate(item)
    answered = api.post(f"/api/runs/{workflow_id}/query", json={"name": "notes"})
    assert answered.status_code == 200, answered.text
    documented(api, "RunAnswerPublic").validate(answered.json())
    api.post(f"/api/runs/{workflow_id}/terminate", json={"reason": "checked"})
    wait_for_status(api, workflow_id, "TERMINATED")

    events: list[tuple[str, dict[str, Any]]] = []
    read_events(api, f"/api/runs/{workflow_id}/events", events)
    assert [kind for kind, _ in events] == ["snapshot", "end"]
    event = documented(api, "RunEventPublic")
    for kind, data in events:
        event.validate({"event": kind, "data": data})
    end = events[-1][1]
    assert end["failure"] == "the run was terminated: checked"
    assert "result" not in end


async def test_unknown_runs_and_runs_of_no_deployment_are_not_found(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    api = shared_app.api
    client = await temporal_client(api)
    foreign = await client.start_workflow(
        "order", {"item": "x", "qty": 1}, id=unique_id("foreign"), task_queue="nobody-serves-this"
    )
    try:
        assert api.get(f"/api/runs/{unique_id('missing')}").status_code == 404
        assert api.get(f"/api/runs/{foreign.id}").status_code == 404
        assert api.post(f"/api/runs/{foreign.id}/cancel").status_code == 404
        assert api.get("/api/deployments/no-such-deployment/runs").status_code == 404
        assert (
            api.post(
                "/api/deployments/no-such-deployment/runs", json={"workflow": "order"}
            ).status_code
            == 404
        )
        bad_status = api.get(f"/api/deployments/{deployment['id']}/runs", params={"status": "x"})
        assert bad_status.status_code == 422
    finally:
        await foreign.terminate("test ended")


def test_a_workflow_id_with_slashes_is_described_signalled_followed_and_ended(
    shared_app: RuntimeApp, deployment: dict[str, Any]
) -> None:
    # ids hold "/" (package-build-@scope/name): a client sends %2F, the server reads "/"
    api = shared_app.api
    workflow_id = f"order/@scope/{unique_id('pen')}"
    answer = api.post(
        f"/api/deployments/{deployment['id']}/runs",
        json={"workflow": "order", "input": {"item": "pen", "qty": 1}, "workflow_id": workflow_id},
    )
    assert answer.status_code == 201, answer.text
    path = f"/api/runs/{quote(workflow_id, safe='')}"
    waiting = wait_for(
        lambda: (found := api.get(path).json())["nodes"]["gate"]["status"] == "waiting" and found,
        "the gate to wait",
    )
    sent = api.post(f"{path}/signal", json={"name": "note", "payload": {"text": "slash"}})
    notes = wait_for(
        lambda: api.post(f"{path}/query", json={"name": "notes"}).json()["result"],
        "the note to be kept",
    )
    ended = api.post(f"{path}/terminate", json={"reason": "done"})
    events: list[tuple[str, dict[str, Any]]] = []
    read_events(api, f"{path}/events", events)

    assert waiting["workflow_id"] == workflow_id
    assert sent.status_code == 202, sent.text
    assert notes == ["slash"]
    assert ended.status_code == 200, ended.text
    assert ended.json()["workflow_id"] == workflow_id
    assert [kind for kind, _ in events] == ["snapshot", "end"]
    assert events[-1][1]["outcome"] == "terminated"

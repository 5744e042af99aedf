"""Saving a draft by delta (a JSON Patch against a revision), on SQLite and on PostgreSQL: what
it stores is what a full save of the same document stores; a stale or invalid delta changes
nothing and says why."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.backend.documents import project, settings_of, workflow

BASE = "/api/projects/demo/workflows"


@pytest.fixture
def demo(api: TestClient) -> TestClient:
    assert api.post("/api/projects", json=settings_of(project())).status_code == 201
    assert api.post(BASE, json={"document": workflow("main", steps=3)}).status_code == 201
    return api


def change(api: TestClient, revision: int, operations: list[dict[str, Any]], wf: str = "main"):  # type: ignore[no-untyped-def]
    return api.patch(f"{BASE}/{wf}", json={"revision": revision, "patch": operations})


def stored(api: TestClient, wf: str = "main") -> dict[str, Any]:
    found: dict[str, Any] = api.get(f"{BASE}/{wf}").json()
    return found


def test_a_node_edit_by_delta_is_stored_as_the_next_revision(demo: TestClient) -> None:
    answer = change(
        demo,
        1,
        [
            {"op": "replace", "path": "/nodes/2/label", "value": "Fetch the package"},
            {"op": "replace", "path": "/nodes/2/position", "value": {"x": 40.0, "y": 220.5}},
        ],
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["revision"] == 2
    found = stored(demo)
    assert found["revision"] == 2
    assert found["document"]["nodes"][2]["label"] == "Fetch the package"
    assert found["document"]["nodes"][2]["position"] == {"x": 40.0, "y": 220.5}
    assert found["document"] == answer.json()["document"]


def test_a_delta_on_a_stale_revision_is_refused_and_changes_nothing(demo: TestClient) -> None:
    first = change(demo, 1, [{"op": "replace", "path": "/name", "value": "first editor"}])
    second = change(demo, 1, [{"op": "replace", "path": "/nodes/1/label", "value": "lost?"}])

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["current_revision"] == 2
    found = stored(demo)
    assert found["document"]["name"] == "first editor"
    assert found["document"]["nodes"][1]["label"] == "Step 1"


def test_a_delta_on_a_revision_saved_over_elsewhere_is_refused(demo: TestClient) -> None:
    # the server holds revision 2 from the first delta; a full save moves the draft on
    assert change(demo, 1, [{"op": "replace", "path": "/name", "value": "one"}]).status_code == 200
    whole = {**stored(demo)["document"], "name": "saved whole"}
    assert demo.put(f"{BASE}/main", json={"revision": 2, "document": whole}).status_code == 200

    late = change(demo, 2, [{"op": "replace", "path": "/nodes/1/label", "value": "late"}])

    assert late.status_code == 409, late.text
    assert late.json()["current_revision"] == 3
    found = stored(demo)["document"]
    assert (found["name"], found["nodes"][1]["label"]) == ("saved whole", "Step 1")


def test_a_delta_applies_to_a_workflow_made_again_not_to_the_one_deleted(
    demo: TestClient,
) -> None:
    assert change(demo, 1, [{"op": "replace", "path": "/name", "value": "old"}]).status_code == 200
    assert demo.delete(f"{BASE}/main").status_code == 204
    assert demo.post(BASE, json={"document": workflow("main", steps=1, name="new")}).status_code
    renamed = {**stored(demo)["document"], "description": "made again"}
    assert demo.put(f"{BASE}/main", json={"revision": 1, "document": renamed}).status_code == 200

    # revision 2 again, of another draft: one step, named "new"
    answer = change(demo, 2, [{"op": "replace", "path": "/nodes/1/label", "value": "only step"}])

    assert answer.status_code == 200, answer.text
    found = stored(demo)["document"]
    assert (found["name"], found["description"]) == ("new", "made again")
    assert [node["label"] for node in found["nodes"]] == ["Start", "only step", "End"]


def test_a_refused_delta_leaves_the_draft_for_the_next_one_as_it_was(demo: TestClient) -> None:
    assert change(demo, 1, [{"op": "replace", "path": "/name", "value": "x"}]).status_code == 200
    half: list[dict[str, Any]] = [
        {"op": "replace", "path": "/nodes/1/config/args/item", "value": "'changed'"},
        {"op": "add", "path": "/nodes/1/position/z", "value": 1},
        {"op": "replace", "path": "/nodes/40/label", "value": "no such node"},
    ]
    assert change(demo, 2, half).status_code == 422

    # the next delta changes the same node: it is written again from the draft held
    answer = change(demo, 2, [{"op": "replace", "path": "/nodes/1/label", "value": "next"}])

    assert answer.status_code == 200, answer.text
    first = stored(demo)["document"]["nodes"][1]
    assert first["label"] == "next"
    assert first["config"]["args"] == {"item": "input.item"}
    assert "z" not in first["position"]


@pytest.mark.parametrize(
    ("operations", "node_id", "field"),
    [
        ([{"op": "replace", "path": "/nodes/2/label", "value": 7}], "step2", "label"),
        ([{"op": "remove", "path": "/nodes/1/type"}], "step1", "type"),
        ([{"op": "add", "path": "/nodes/1/colour", "value": "red"}], "step1", "colour"),
        (
            [{"op": "add", "path": "/nodes/-", "value": {"id": "", "type": "timer"}}],
            "",
            "id",
        ),
    ],
)
def test_a_delta_that_leaves_a_node_invalid_gets_422_naming_node_and_field(
    demo: TestClient, operations: list[dict[str, Any]], node_id: str, field: str
) -> None:
    before = stored(demo)

    answer = change(demo, 1, operations)

    assert answer.status_code == 422, answer.text
    diagnostics = answer.json()["diagnostics"]
    assert [(d["node_id"] or "", d["field"]) for d in diagnostics] == [(node_id, field)]
    assert stored(demo) == before


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "remove", "path": "/nodes/40"},
        {"op": "replace", "path": "/nodes/1/no_such_field", "value": 1},
        {"op": "test", "path": "/name", "value": "not its name"},
        {"op": "replace", "path": "/id", "value": "other"},
        {"op": "move", "from": "/nodes/1", "path": "/nodes/1/config"},
    ],
)
def test_an_operation_that_does_not_apply_gets_422_naming_it(
    demo: TestClient, operation: dict[str, Any]
) -> None:
    before = stored(demo)

    answer = change(demo, 1, [{"op": "replace", "path": "/name", "value": "x"}, operation])

    assert answer.status_code == 422, answer.text
    assert answer.json()["diagnostics"][0]["field"] == "patch.1"
    assert "operation 1" in answer.json()["detail"]
    assert stored(demo) == before


def test_a_badly_formed_operation_is_refused_by_the_schema(demo: TestClient) -> None:
    for operation in (
        {"op": "copy", "path": "/name"},
        {"op": "add", "path": "/name"},
        {"op": "remove", "path": "name"},
        {"op": "splice", "path": "/name", "value": 1},
    ):
        answer = change(demo, 1, [operation])
        assert answer.status_code == 422, (operation, answer.text)
    assert stored(demo)["revision"] == 1


def test_a_field_replaced_by_null_is_stored_as_null(demo: TestClient) -> None:
    template = [{"op": "replace", "path": "/settings/id_template", "value": "job-{input.item}"}]
    assert change(demo, 1, template).status_code == 200
    answer = change(demo, 2, [{"op": "replace", "path": "/settings/id_template", "value": None}])

    assert answer.status_code == 200, answer.text
    assert stored(demo)["document"]["settings"]["id_template"] is None


def test_collapsed_containers_are_saved_by_delta_and_left_out_once_none_is(
    demo: TestClient,
) -> None:
    before = demo.get(f"{BASE}/main").json()["document"]
    assert "ui" not in before

    collapsed = change(demo, 1, [{"op": "add", "path": "/ui", "value": {"collapsed": ["step1"]}}])
    assert collapsed.status_code == 200, collapsed.text
    assert stored(demo)["document"]["ui"] == {"collapsed": ["step1"]}

    more = change(demo, 2, [{"op": "add", "path": "/ui/collapsed/-", "value": "step2"}])
    assert more.status_code == 200, more.text
    assert stored(demo)["document"]["ui"] == {"collapsed": ["step1", "step2"]}

    emptied = change(demo, 3, [{"op": "replace", "path": "/ui/collapsed", "value": []}])
    assert emptied.status_code == 200, emptied.text
    # an empty view is not written: the document reads as it did before anything was collapsed
    assert stored(demo)["document"] == before

    again = change(demo, 4, [{"op": "add", "path": "/ui", "value": {"collapsed": ["step1"]}}])
    removed = change(demo, 5, [{"op": "remove", "path": "/ui"}])
    assert again.status_code == 200 and removed.status_code == 200, removed.text
    assert stored(demo)["document"] == before


def test_a_view_replaced_by_null_or_holding_a_number_gets_422_naming_the_field(
    demo: TestClient,
) -> None:
    assert change(demo, 1, [{"op": "add", "path": "/ui", "value": {"collapsed": ["step1"]}}])
    for operation in (
        {"op": "replace", "path": "/ui", "value": None},
        {"op": "replace", "path": "/ui/collapsed", "value": None},
        {"op": "add", "path": "/ui/collapsed/-", "value": 7},
        {"op": "add", "path": "/ui/colour", "value": "red"},
    ):
        answer = change(demo, 2, [operation])
        assert answer.status_code == 422, (operation, answer.text)
        fields = [d["field"] for d in answer.json()["diagnostics"]]
        assert any(field and "ui" in field.split(".") for field in fields), (operation, fields)
    assert stored(demo)["revision"] == 2


# --- the same edits by delta and by full save store the same document ----------------------

EDITS = st.sampled_from(
    ["move", "relabel", "add", "remove", "connect", "rename", "configure", "collapse"]
)


def edit(document: dict[str, Any], kind: str, seed: int) -> dict[str, Any]:
    """The document after one editor action of `kind`."""
    changed = copy.deepcopy(document)
    nodes, edges = changed["nodes"], changed["edges"]
    target = nodes[seed % len(nodes)] if nodes else None
    if kind == "move" and target is not None:
        target["position"] = {"x": float(seed % 700), "y": seed / 7}
    elif kind == "relabel" and target is not None:
        target["label"] = f"step «{seed}» ✓"
    elif kind == "add":
        nodes.append(
            {"id": f"n{seed}-{len(nodes)}", "type": "timer", "config": {"duration": f"{seed}s"}}
        )
    elif kind == "remove" and target is not None:
        nodes.remove(target)
        changed["edges"] = [e for e in edges if target["id"] not in (e["source"], e["target"])]
    elif kind == "connect" and len(nodes) >= 2:
        source, goal = nodes[seed % len(nodes)], nodes[(seed + 1) % len(nodes)]
        edges.append({"id": f"e{seed}-{len(edges)}", "source": source["id"], "target": goal["id"]})
    elif kind == "rename":
        changed["name"] = f"Flow {seed}"
        changed["description"] = "ünïcode" * (seed % 3)
    elif kind == "configure" and target is not None:
        target["config"] = {**target.get("config", {}), "note": {"seed": seed, "on": seed % 2 == 0}}
    elif kind == "collapse" and target is not None:
        # as the editor does: the id toggled, `ui` left out once nothing is collapsed
        collapsed = set(changed.get("ui", {}).get("collapsed", [])) ^ {target["id"]}
        changed.pop("ui", None)
        if collapsed:
            changed["ui"] = {"collapsed": sorted(collapsed)}
    return changed


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=st.lists(st.tuples(EDITS, st.integers(0, 10_000)), min_size=1, max_size=8))
def test_deltas_store_what_full_saves_of_the_same_edits_store(
    sqlite_api: TestClient, actions: list[tuple[str, int]]
) -> None:
    api = sqlite_api
    if api.get("/api/projects/demo").status_code == 404:
        assert api.post("/api/projects", json=settings_of(project())).status_code == 201
    for wf in ("whole", "delta"):
        api.delete(f"{BASE}/{wf}")
        assert api.post(BASE, json={"document": workflow(wf, 3, "Flow")}).status_code == 201
    # the editor diffs the document it holds (as the server answered it) with the edited one
    held = stored(api, "delta")["document"]
    for kind, seed in actions:
        revision = stored(api, "delta")["revision"]
        edited = edit(held, kind, seed)
        operations = jsonpatch.make_patch(held, edited).patch
        if not operations:
            continue
        whole_doc = {**edited, "id": "whole"}
        whole = api.put(
            f"{BASE}/whole",
            json={"revision": stored(api, "whole")["revision"], "document": whole_doc},
        )
        delta = change(api, revision, operations, "delta")
        assert whole.status_code == 200, whole.text
        assert delta.status_code == 200, delta.text
        held = delta.json()["document"]
        assert {**held, "id": "whole"} == whole.json()["document"]
    whole_text = api.get(f"{BASE}/whole").content.decode()
    delta_text = api.get(f"{BASE}/delta").content.decode()
    # the stored texts are the same but for the workflow's id
    assert (
        delta_text.replace('"id":"delta"', '"id":"whole"').split('"document":')[1]
        == (whole_text.split('"document":')[1])
    )

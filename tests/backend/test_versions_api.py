"""Versions, restore and diff through the HTTP API, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.backend.documents import normalised, project, settings_of, workflow

MAIN = "/api/projects/demo/workflows/main"


@pytest.fixture
def demo(api: TestClient) -> TestClient:
    assert api.post("/api/projects", json=settings_of(project())).status_code == 201
    assert (
        api.post("/api/projects/demo/workflows", json={"document": workflow()}).status_code == 201
    )
    return api


def save(api: TestClient, document: dict[str, Any], revision: int) -> dict[str, Any]:
    response = api.put(MAIN, json={"revision": revision, "document": document})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def make_version(api: TestClient, message: str, **extra: Any) -> Any:
    return api.post(f"{MAIN}/versions", json={"message": message, **extra})


def test_versions_are_numbered_snapshots_that_do_not_change(demo: TestClient) -> None:
    first = make_version(demo, "first cut")
    assert first.status_code == 201, first.text
    assert (first.json()["number"], first.json()["revision"]) == (1, 1)
    save(demo, workflow(steps=5, name="longer"), revision=1)
    second = make_version(demo, "five steps").json()
    assert (second["number"], second["revision"]) == (2, 2)
    save(demo, workflow(steps=1, name="shorter"), revision=2)

    listed = demo.get(f"{MAIN}/versions").json()
    assert [(v["number"], v["message"], v["revision"]) for v in listed] == [
        (1, "first cut", 1),
        (2, "five steps", 2),
    ]
    one = demo.get(f"{MAIN}/versions/1").json()
    assert one["document"] == normalised(workflow())
    two = demo.get(f"{MAIN}/versions/2").json()
    assert two["document"]["name"] == "longer"
    assert len(two["document"]["nodes"]) == 7
    assert demo.get(MAIN).json()["document"]["name"] == "shorter"
    assert demo.get("/api/projects/demo").json()["workflows"][0]["version_count"] == 2


def test_a_version_can_insist_on_the_revision_it_snapshots(demo: TestClient) -> None:
    save(demo, workflow(name="newer"), revision=1)
    stale = make_version(demo, "what I saw", revision=1)
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == 2
    assert demo.get(f"{MAIN}/versions").json() == []
    fresh = make_version(demo, "what I saw", revision=2)
    assert fresh.status_code == 201
    assert fresh.json()["document"]["name"] == "newer"


def test_a_version_needs_a_message(demo: TestClient) -> None:
    for body in ({}, {"message": ""}, {"message": "x", "tag": "v1"}):
        response = demo.post(f"{MAIN}/versions", json=body)
        assert response.status_code == 422, body
    assert demo.get(f"{MAIN}/versions").json() == []


def test_restore_makes_a_version_the_new_draft(demo: TestClient) -> None:
    make_version(demo, "original")
    save(demo, workflow(steps=6, name="rewrite"), revision=1)
    restored = demo.post(f"{MAIN}/versions/1/restore", json={"revision": 2})
    assert restored.status_code == 200, restored.text
    assert restored.json()["revision"] == 3
    assert restored.json()["document"] == normalised(workflow())
    draft = demo.get(MAIN).json()
    assert (draft["revision"], draft["document"]) == (3, normalised(workflow()))
    # the restore is a new revision: the version list is unchanged, the old draft is gone
    assert [v["number"] for v in demo.get(f"{MAIN}/versions").json()] == [1]


def test_restore_over_a_newer_draft_is_refused(demo: TestClient) -> None:
    make_version(demo, "original")
    save(demo, workflow(name="someone else's edit"), revision=1)
    refused = demo.post(f"{MAIN}/versions/1/restore", json={"revision": 1})
    assert refused.status_code == 409
    assert refused.json()["current_revision"] == 2
    assert demo.get(MAIN).json()["document"]["name"] == "someone else's edit"


def test_diff_lists_nodes_and_edges_added_removed_and_changed(demo: TestClient) -> None:
    make_version(demo, "two steps")
    changed = workflow(steps=2, name="renamed")
    # step1 moves and calls with another argument; step2 is removed, a timer replaces it; end
    # only moves and grows; step1 also gets an empty field: layout and empties are not changes
    changed["nodes"][1]["position"] = {"x": 40.0, "y": 100.0}
    changed["nodes"][1]["config"]["args"] = {"item": "input.item.upper()"}
    changed["nodes"][1]["config"]["heartbeat_timeout"] = None
    changed["nodes"][3]["position"] = {"x": 300.0, "y": 9.5}
    changed["nodes"][3]["size"] = {"width": 320.0, "height": 90.0}
    changed["nodes"][2] = {
        "id": "wait",
        "type": "timer",
        "label": "Wait",
        "config": {"duration": "5s"},
    }
    changed["edges"] = [
        {"id": "renamed-edge", "source": "start", "target": "step1"},
        {"id": "e2", "source": "step1", "target": "wait"},
        {"id": "e3", "source": "wait", "target": "end"},
    ]
    save(demo, changed, revision=1)
    make_version(demo, "timer")

    diff = demo.get(f"{MAIN}/diff", params={"from": 1, "to": 2})
    assert diff.status_code == 200, diff.text
    result = diff.json()
    assert (result["from_version"], result["to_version"]) == ("1", "2")
    assert result["workflow_changes"] == [{"field": "name", "before": "main", "after": "renamed"}]
    assert [n["id"] for n in result["nodes_added"]] == ["wait"]
    assert [n["id"] for n in result["nodes_removed"]] == ["step2"]
    changes = {n["id"]: n["changes"] for n in result["nodes_changed"]}
    assert changes == {
        "step1": [
            {"field": "config.args.item", "before": "input.item", "after": "input.item.upper()"},
        ],
    }
    connected = {(e["source"], e["target"]) for e in result["edges_added"]}
    assert connected == {("step1", "wait"), ("wait", "end")}
    removed = {(e["source"], e["target"]) for e in result["edges_removed"]}
    assert removed == {("step1", "step2"), ("step2", "end")}
    # an edge that only got a new id connects the same nodes: not a change

    backwards = demo.get(f"{MAIN}/diff", params={"from": 2, "to": 1}).json()
    assert [n["id"] for n in backwards["nodes_added"]] == ["step2"]
    assert [n["id"] for n in backwards["nodes_removed"]] == ["wait"]


def test_diff_leaves_out_the_containers_shown_collapsed(demo: TestClient) -> None:
    make_version(demo, "start")
    save(demo, {**workflow(), "ui": {"collapsed": ["step1"]}}, revision=1)
    viewed = demo.get(f"{MAIN}/diff", params={"from": 1, "to": "draft"})

    assert viewed.status_code == 200, viewed.text
    assert demo.get(MAIN).json()["document"]["ui"] == {"collapsed": ["step1"]}
    found = viewed.json()
    assert found["workflow_changes"] == found["nodes_changed"] == found["nodes_added"] == []


def test_diff_leaves_out_a_field_written_as_its_default(demo: TestClient) -> None:
    """An update returning nothing said `"returns": "None"` before the editor left it out: the
    same document, written two ways."""

    def with_update(config: dict[str, Any]) -> dict[str, Any]:
        document = workflow()
        update = {"id": "resize", "type": "update", "label": "Resize", "config": config}
        document["nodes"].append(update)
        return document

    save(demo, with_update({"name": "resize", "returns": "None"}), revision=1)
    make_version(demo, "written the old way")
    save(demo, with_update({"name": "resize"}), revision=2)
    same = demo.get(f"{MAIN}/diff", params={"from": 1, "to": "draft"}).json()
    assert same["nodes_changed"] == []
    save(demo, with_update({"name": "resize", "returns": "int"}), revision=3)
    typed = demo.get(f"{MAIN}/diff", params={"from": 1, "to": "draft"}).json()
    [change] = typed["nodes_changed"]
    assert change["changes"] == [{"field": "config.returns", "before": None, "after": "int"}]


def test_diff_against_the_draft_and_of_a_version_with_itself(demo: TestClient) -> None:
    make_version(demo, "start")
    assert demo.get(f"{MAIN}/diff", params={"from": 1, "to": "draft"}).json()["nodes_changed"] == []
    save(demo, {**workflow(), "input": {"item": "str", "flag": "bool"}}, revision=1)
    make_version(demo, "with a flag")
    added = demo.get(f"{MAIN}/diff", params={"from": 1, "to": "draft"}).json()
    assert added["workflow_changes"] == [{"field": "input.flag", "before": None, "after": "bool"}]
    save(demo, {**workflow(), "input": {"flag": "bool", "item": "str"}}, revision=2)
    moved = demo.get(f"{MAIN}/diff", params={"from": 2, "to": "draft"}).json()
    # the order of input fields is the order of the dataclass: a reordering is a change
    assert [c["field"] for c in moved["workflow_changes"]] == ["input"]
    same = demo.get(f"{MAIN}/diff", params={"from": 1, "to": 1}).json()
    assert same["workflow_changes"] == same["nodes_added"] == same["edges_removed"] == []


def test_unknown_versions(demo: TestClient) -> None:
    assert demo.get(f"{MAIN}/versions/1").status_code == 404
    assert demo.post(f"{MAIN}/versions/1/restore", json={"revision": 1}).status_code == 404
    assert demo.get(f"{MAIN}/diff", params={"from": 1, "to": "draft"}).status_code == 404
    assert demo.get(f"{MAIN}/diff", params={"from": "latest", "to": "draft"}).status_code == 422
    assert demo.get(f"{MAIN}/versions/0").status_code == 422
    ghost = "/api/projects/demo/workflows/ghost/versions"
    assert demo.get(ghost).status_code == 404
    assert demo.post(ghost, json={"message": "x"}).status_code == 404


def test_versions_go_with_their_workflow(demo: TestClient) -> None:
    make_version(demo, "one")
    assert demo.delete(MAIN).status_code == 204
    demo.post("/api/projects/demo/workflows", json={"document": workflow(name="again")})
    assert demo.get(f"{MAIN}/versions").json() == []
    assert make_version(demo, "fresh").json()["number"] == 1

"""Projects through the HTTP API, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.backend.documents import project, settings_of, workflow


def create(api: TestClient, project_id: str = "demo") -> dict[str, Any]:
    response = api.post("/api/projects", json=settings_of(project(project_id)))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_created_project_is_listed_and_read_back(api: TestClient) -> None:
    created = create(api, "billing")
    assert created["revision"] == 1
    assert created["workflows"] == []
    assert created["activities"][0]["name"] == "work"

    listed = api.get("/api/projects").json()
    assert [(p["id"], p["name"], p["workflow_count"]) for p in listed] == [
        ("billing", "Project billing", 0)
    ]
    read = api.get("/api/projects/billing").json()
    assert read == created


def test_project_lists_its_workflows(api: TestClient) -> None:
    create(api)
    api.post("/api/projects/demo/workflows", json={"document": workflow("first", steps=3)})
    api.post("/api/projects/demo/workflows", json={"document": workflow("second", steps=1)})
    read = api.get("/api/projects/demo").json()
    assert [(w["id"], w["node_count"], w["edge_count"]) for w in read["workflows"]] == [
        ("first", 5, 4),
        ("second", 3, 2),
    ]
    assert api.get("/api/projects").json()[0]["workflow_count"] == 2


def test_creating_an_existing_id_is_a_conflict(api: TestClient) -> None:
    create(api)
    again = api.post("/api/projects", json={"id": "demo", "name": "Other"})
    assert again.status_code == 409
    assert again.json()["current_revision"] == 1
    assert api.get("/api/projects/demo").json()["name"] == "Project demo"


def test_update_needs_the_current_revision(api: TestClient) -> None:
    create(api)
    renamed = api.patch("/api/projects/demo", json={"revision": 1, "name": "Renamed"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Renamed"
    assert renamed.json()["revision"] == 2
    assert renamed.json()["task_queue"] == "demo", "fields left out keep their value"

    stale = api.patch("/api/projects/demo", json={"revision": 1, "description": "lost?"})
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == 2
    assert api.get("/api/projects/demo").json()["description"] == "made by the backend tests"


def test_update_checks_the_new_settings(api: TestClient) -> None:
    create(api)
    bad = api.patch(
        "/api/projects/demo",
        json={"revision": 1, "activities": [{"name": "x", "implementation": {"kind": "ftp"}}]},
    )
    assert bad.status_code == 422
    fields = [d["field"] for d in bad.json()["diagnostics"]]
    assert any(f and f.startswith("activities.0.implementation") for f in fields), fields
    unknown = api.patch("/api/projects/demo", json={"revision": 1, "colour": "red"})
    assert unknown.status_code == 422
    assert unknown.json()["diagnostics"][0]["field"] == "colour"
    assert api.get("/api/projects/demo").json()["revision"] == 1


def test_delete_removes_the_project_and_its_workflows(api: TestClient) -> None:
    create(api)
    api.post("/api/projects/demo/workflows", json={"document": workflow()})
    api.post("/api/projects/demo/workflows/main/versions", json={"message": "v1"})
    assert api.delete("/api/projects/demo").status_code == 204
    assert api.get("/api/projects/demo").status_code == 404
    assert api.get("/api/projects/demo/workflows/main").status_code == 404
    assert api.get("/api/projects").json() == []
    # the id is free again, with nothing left over from before
    create(api)
    assert api.get("/api/projects/demo").json()["workflows"] == []


def test_unknown_and_malformed_ids(api: TestClient) -> None:
    missing = api.get("/api/projects/nope")
    assert missing.status_code == 404
    assert "nope" in missing.json()["detail"]
    assert api.delete("/api/projects/nope").status_code == 404
    assert api.patch("/api/projects/nope", json={"revision": 1}).status_code == 404
    malformed = api.get("/api/projects/Not%20A%20Slug")
    assert malformed.status_code == 422
    assert malformed.json()["diagnostics"][0]["field"] == "path.project_id"


def test_bad_project_bodies_get_field_errors(api: TestClient) -> None:
    no_id = api.post("/api/projects", json={"name": "x"})
    assert no_id.status_code == 422
    assert no_id.json()["diagnostics"][0]["field"] == "id"
    bad_slug = api.post("/api/projects", json={"id": "Has Spaces"})
    assert bad_slug.status_code == 422
    not_json = api.post(
        "/api/projects", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422
    assert not_json.json()["diagnostics"][0]["code"] == "E001"
    assert api.get("/api/projects").json() == []

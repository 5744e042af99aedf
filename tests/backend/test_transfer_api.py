"""A whole project exported and imported as one document, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from backend.models import ProjectSettings
from language.document import Project
from tests.backend.documents import project, workflow

EXAMPLES = Path(__file__).parents[2] / "examples"


def full(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every default filled in, as export writes it."""
    return Project.model_validate(document).model_dump(mode="json")


def test_import_then_export_gives_the_same_document(api: TestClient) -> None:
    document = project(
        "shop",
        [workflow("checkout", steps=4, name="Checkout"), workflow("refund", steps=1)],
    )
    document["types"]["Order"] = {"description": "an order", "fields": {"id": "str", "n": "int"}}
    document["workflows"][0]["state"] = [{"name": "tries", "type": "int", "default": 0}]
    document["workflows"][0]["settings"] = {"id_template": "checkout-{input.item}"}
    imported = api.post("/api/import", json=document)
    assert imported.status_code == 201, imported.text
    assert [w["id"] for w in imported.json()["workflows"]] == ["checkout", "refund"]

    exported = api.get("/api/projects/shop/export")
    assert exported.status_code == 200
    assert exported.json() == full(document)
    # and the exported document is itself importable under another id, giving it back again
    copy = {**exported.json(), "id": "shop-copy"}
    assert api.post("/api/import", json=copy).status_code == 201
    assert api.get("/api/projects/shop-copy/export").json() == {**full(document), "id": "shop-copy"}


def test_the_examples_round_trip(api: TestClient) -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        document = json.loads(path.read_text())
        assert api.post("/api/import", json=document).status_code == 201, path.name
        assert api.get(f"/api/projects/{document['id']}/export").json() == full(document)
        compact = api.get(f"/api/projects/{document['id']}/export?compact=true")
        assert full(compact.json()) == full(document)
        assert len(compact.content) < len(json.dumps(full(document), separators=(",", ":")))


def test_export_reflects_edits_made_through_the_api(api: TestClient) -> None:
    api.post("/api/import", json=project("shop", [workflow("a")]))
    api.post("/api/projects/shop/workflows", json={"document": workflow("b", steps=3)})
    api.put(
        "/api/projects/shop/workflows/a",
        json={"revision": 1, "document": workflow("a", name="edited")},
    )
    api.patch("/api/projects/shop", json={"revision": 1, "task_queue": "shop-queue"})
    exported = api.get("/api/projects/shop/export").json()
    assert exported["task_queue"] == "shop-queue"
    assert [(w["id"], w["name"]) for w in exported["workflows"]] == [("a", "edited"), ("b", "b")]


def test_importing_over_an_existing_project_needs_overwrite(api: TestClient) -> None:
    api.post("/api/import", json=project("shop", [workflow("a", name="original")]))
    replacement = project("shop", [workflow("a", name="replaced"), workflow("new")])
    refused = api.post("/api/import", json=replacement)
    assert refused.status_code == 409
    assert refused.json()["current_revision"] == 1
    assert "overwrite" in refused.json()["detail"]
    assert api.get("/api/projects/shop/workflows/a").json()["document"]["name"] == "original"

    replaced = api.post("/api/import", params={"overwrite": "true"}, json=replacement)
    assert replaced.status_code == 201, replaced.text
    assert api.get("/api/projects/shop/export").json() == full(replacement)


def test_overwrite_keeps_history_and_bumps_revisions(api: TestClient) -> None:
    api.post("/api/import", json=project("shop", [workflow("a"), workflow("gone")]))
    api.post("/api/projects/shop/workflows/a/versions", json={"message": "before import"})
    replacement = project("shop", [workflow("fresh"), workflow("a", name="imported")])
    api.post("/api/import", params={"overwrite": True}, json=replacement)

    a = api.get("/api/projects/shop/workflows/a").json()
    assert (a["revision"], a["document"]["name"]) == (2, "imported")
    assert [v["message"] for v in api.get("/api/projects/shop/workflows/a/versions").json()] == [
        "before import"
    ]
    assert api.get("/api/projects/shop/workflows/gone").status_code == 404
    # an editor still holding revision 1 of `a` cannot silently overwrite the import
    stale = api.put(
        "/api/projects/shop/workflows/a", json={"revision": 1, "document": workflow("a")}
    )
    assert stale.status_code == 409
    assert api.get("/api/projects/shop").json()["revision"] == 2


def test_import_refuses_documents_it_cannot_store(api: TestClient) -> None:
    twice = project("shop", [workflow("a"), workflow("a")])
    response = api.post("/api/import", json=twice)
    assert response.status_code == 422
    assert response.json()["diagnostics"][0]["code"] == "E119"
    assert response.json()["diagnostics"][0]["field"] == "workflows.1.id"

    broken = project("shop")
    broken["workflows"][0]["nodes"][1]["config"] = "not an object"
    response = api.post("/api/import", json=broken)
    assert response.status_code == 422
    diagnostic = response.json()["diagnostics"][0]
    assert (diagnostic["workflow_id"], diagnostic["node_id"]) == ("main", "step1")
    assert diagnostic["field"] == "config"

    future = {**project("shop"), "schema_version": 2}
    assert api.post("/api/import", json=future).status_code == 422
    assert api.get("/api/projects").json() == []


def test_export_of_an_unknown_project(api: TestClient) -> None:
    assert api.get("/api/projects/nope/export").status_code == 404


def test_project_settings_cover_the_whole_document() -> None:
    """Export rebuilds a project from its settings and workflows: a new document field the
    settings do not carry would be dropped on the way through the database."""
    assert set(Project.model_fields) == set(ProjectSettings.model_fields) | {
        "schema_version",
        "id",
        "workflows",
    }

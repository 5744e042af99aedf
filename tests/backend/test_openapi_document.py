"""The OpenAPI document the editor's API types are generated from (scripts/gen_api_types)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from backend.openapi_document import openapi_document
from language.document import SLUG_PATTERN

GENERATED = Path(__file__).parents[2] / "frontend" / "src" / "api" / "gen"


def test_the_document_is_what_the_server_serves(sqlite_api: TestClient) -> None:
    assert openapi_document() == sqlite_api.get("/openapi.json").json()


def test_every_reference_names_a_schema() -> None:
    document = openapi_document()
    names = set(document["components"]["schemas"])
    referenced = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert referenced <= names, referenced - names


def test_answers_list_every_field_requests_may_leave_out() -> None:
    schemas = openapi_document()["components"]["schemas"]
    read, written = schemas["Workflow-Input"], schemas["Workflow-Output"]
    assert read["required"] == ["id"]
    # but `ui` (the editor's view) and `output`, each written only while it holds something
    assert set(written["required"]) == set(written["properties"]) - {"ui", "output"}
    activity = schemas["ActivityDef-Output"]
    assert set(activity["required"]) == set(activity["properties"]) - {"output"}
    # the export may leave out the fields at their defaults (`compact`): its answer is a
    # document as read, as validate, compile and import take it
    export = openapi_document()["paths"]["/api/projects/{project_id}/export"]["get"]
    answer = export["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/Project"}
    assert schemas["Project"]["required"] == ["id"]


def test_the_editor_reads_the_slug_pattern_from_the_generated_schema() -> None:
    generated = (GENERATED / "schemas.gen.ts").read_text(encoding="utf-8")
    project_create = generated[generated.index("export const ProjectCreateSchema") :]
    project_id = project_create[project_create.index("id: {") :]
    found = re.search(r"pattern: '([^']*)'", project_id)
    assert found is not None
    assert found.group(1) == SLUG_PATTERN

"""The node-type catalogue, validation and compilation through the HTTP API."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from compiler import compile_project
from language.document import Project
from node_types import catalogue
from tests.backend.documents import project

HELLO = json.loads((Path(__file__).parents[2] / "examples" / "hello.json").read_text())


def broken_project() -> dict[str, Any]:
    document = project()
    document["workflows"][0]["edges"].append({"id": "dangling", "source": "step1", "target": "x"})
    document["workflows"][0]["nodes"][1]["config"]["activity"] = "missing_activity"
    return document


def test_node_types_is_the_registry_catalogue(sqlite_api: TestClient) -> None:
    response = sqlite_api.get("/api/node-types")
    assert response.status_code == 200
    assert response.json() == [entry.model_dump(mode="json") for entry in catalogue()]
    kinds = {entry["kind"]: entry for entry in response.json()}
    assert {"start", "activity", "condition", "end"} <= set(kinds)
    assert [port["name"] for port in kinds["condition"]["outputs"]] == ["true", "false"]
    assert kinds["activity"]["config_schema"]["properties"]["activity"]["type"] == "string"


def test_schema_is_the_document_schema(sqlite_api: TestClient) -> None:
    assert sqlite_api.get("/api/schema").json() == Project.model_json_schema()


def test_validate_returns_every_diagnostic(sqlite_api: TestClient) -> None:
    clean = sqlite_api.post("/api/validate", json=HELLO)
    assert clean.status_code == 200
    assert clean.json()["ok"] is True
    assert clean.json()["diagnostics"] == []

    found = sqlite_api.post("/api/validate", json=broken_project())
    assert found.status_code == 200
    assert found.json()["ok"] is False
    places = {(d["code"], d["node_id"], d["edge_id"]) for d in found.json()["diagnostics"]}
    assert ("E104", None, "dangling") in places
    assert ("E204", "step1", None) in places


def test_validate_reports_schema_errors_as_diagnostics(sqlite_api: TestClient) -> None:
    document = project()
    document["workflows"][0]["nodes"][0]["position"] = {"x": "left"}
    response = sqlite_api.post("/api/validate", json=document)
    assert response.status_code == 422
    (diagnostic,) = response.json()["diagnostics"]
    assert diagnostic["code"] == "E002"
    assert (diagnostic["workflow_id"], diagnostic["node_id"]) == ("main", "start")
    assert diagnostic["field"] == "position.x"


def test_compile_returns_the_files_and_source_map(sqlite_api: TestClient) -> None:
    response = sqlite_api.post("/api/compile", json=HELLO)
    assert response.status_code == 200, response.text
    expected = compile_project(HELLO)
    body = response.json()
    assert body["package"] == expected.package == "hello"
    assert body["files"] == expected.files
    assert body["sourcemap"] == expected.sourcemap
    assert "compose" in body["sourcemap"]["greet"]


def test_compile_as_zip(sqlite_api: TestClient) -> None:
    response = sqlite_api.post("/api/compile", params={"format": "zip"}, json=HELLO)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="hello.zip"' in response.headers["content-disposition"]
    expected = compile_project(HELLO)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        unpacked = {name: archive.read(name).decode() for name in archive.namelist()}
    # the package, and beside it what installs and deploys it
    package = {f"hello/{path}": text for path, text in expected.files.items()}
    assert unpacked == package | expected.root_files
    assert {"pyproject.toml", "Dockerfile", "README.md"} <= unpacked.keys()
    for name, text in unpacked.items():
        if name.endswith(".py"):
            compile(text, name, "exec")  # every module parses
    again = sqlite_api.post("/api/compile", params={"format": "zip"}, json=HELLO)
    assert again.content == response.content, "the same document gives the same archive"


def test_compile_refuses_a_document_with_errors(sqlite_api: TestClient) -> None:
    response = sqlite_api.post("/api/compile", json=broken_project())
    assert response.status_code == 422
    codes = {d["code"] for d in response.json()["diagnostics"]}
    assert {"E104", "E204"} <= codes
    as_zip = sqlite_api.post("/api/compile", params={"format": "zip"}, json=broken_project())
    assert as_zip.status_code == 422
    assert as_zip.headers["content-type"] == "application/json"
    assert sqlite_api.post("/api/compile", params={"format": "tar"}, json=HELLO).status_code == 422

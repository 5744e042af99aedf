"""The deployment routes' answers that need no Temporal: refusals, names, what is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from backend.app import create_app
from backend.runtime.layout import DataLayout
from backend.services.deployments import deployment_handle
from backend.settings import Settings, SettingsError
from tests.backend.runtime_support import greeting_project, runtime_settings


@pytest.fixture
def api(tmp_path: Path) -> Iterator[TestClient]:
    """An app whose runtime is said to run in a parent process: deployments are recorded and
    written, and no worker starts."""
    settings = runtime_settings(tmp_path, runtime="parent")
    with TestClient(create_app(settings)) as client:
        yield client


def store(api: TestClient, document: dict[str, Any]) -> None:
    assert api.post("/api/import", json=document).status_code == 201


def test_a_project_with_errors_is_refused_with_its_diagnostics(api: TestClient) -> None:
    document = greeting_project("broken")
    document["workflows"][0]["nodes"][1]["config"]["activity"] = "no_such_activity"
    store(api, document)

    answer = api.post("/api/projects/broken/deployments")

    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] == "the project has errors, so it cannot be deployed"
    assert any(d["node_id"] == "say" and d["severity"] == "error" for d in body["diagnostics"]), (
        body
    )
    assert api.get("/api/projects/broken/deployments").json() == []


def test_a_deployment_is_named_after_its_source_and_written_once(
    api: TestClient, tmp_path: Path
) -> None:
    store(api, greeting_project("named"))
    version = api.post("/api/projects/named/workflows/greet/versions", json={"message": "one"})
    assert version.status_code == 201

    draft = api.post("/api/projects/named/deployments", json={})
    saved = api.post("/api/projects/named/deployments", json={"versions": {"greet": 1}})
    again = api.post("/api/projects/named/deployments", json={"versions": {"greet": 1}})

    assert draft.status_code == 201
    assert draft.json()["id"].startswith("named-draft-")
    assert saved.status_code == 201
    assert saved.json()["id"].startswith("named-v1-")
    assert saved.json()["versions"] == {"greet": 1}
    assert again.status_code == 200
    assert again.json()["id"] == saved.json()["id"]
    folder = tmp_path / "data" / "deployments" / saved.json()["id"]
    manifest = json.loads((folder / "deployment.json").read_text())
    assert manifest["task_queue"] == saved.json()["task_queue"] == saved.json()["id"]
    assert (folder / "named" / "worker.py").is_file()
    assert (tmp_path / "data" / "code" / "named").is_dir()  # where the project's own code goes


def test_the_runs_layer_finds_a_deployments_package_and_source_map(
    api: TestClient, tmp_path: Path
) -> None:
    store(api, greeting_project("handled"))
    deployment_id = api.post("/api/projects/handled/deployments").json()["id"]
    engine = api.app.state.engine  # type: ignore[attr-defined]

    with Session(engine) as session:
        handle = deployment_handle(session, DataLayout.at(tmp_path / "data"), None, deployment_id)

    assert handle.task_queue == deployment_id
    assert handle.package == "handled"
    assert (handle.package_dir / "workflows" / "greet.py").is_file()
    assert set(handle.sourcemap()["greet"]) >= {"say", "finish"}
    assert handle.project().id == "handled"


def test_bad_ids_get_404_and_bad_requests_422(api: TestClient) -> None:
    store(api, greeting_project("checked"))

    assert api.post("/api/projects/nowhere/deployments").status_code == 404
    assert (
        api.post("/api/projects/checked/deployments", json={"versions": {"greet": 7}}).status_code
        == 404
    )
    assert (
        api.post("/api/projects/checked/deployments", json={"versions": {"other": 1}}).status_code
        == 404
    )
    assert api.get("/api/projects/nowhere/deployments").status_code == 404
    for path in ("", "/log"):
        assert api.get(f"/api/deployments/checked-draft-0000000000{path}").status_code == 404
    for action in ("stop", "start"):
        assert api.post(f"/api/deployments/checked-draft-0000000000/{action}").status_code == 404

    assert api.get("/api/deployments/Not-A-Slug").status_code == 422
    assert api.get("/api/deployments/x" + "y" * 200).status_code == 422
    bodies: list[Any] = [{"versions": {"greet": 0}}, {"versions": []}, {"version": 1}, [1]]
    for body in bodies:
        answer = api.post("/api/projects/checked/deployments", json=body)
        assert answer.status_code == 422, body
        assert answer.json()["diagnostics"], body
    deployment_id = api.post("/api/projects/checked/deployments").json()["id"]
    assert api.get(f"/api/deployments/{deployment_id}/log", params={"tail": 0}).status_code == 422
    assert api.get(f"/api/deployments/{deployment_id}/log").json()["lines"] == []


def test_with_temporal_off_nothing_can_be_deployed(tmp_path: Path) -> None:
    settings = runtime_settings(tmp_path, temporal="off")
    with TestClient(create_app(settings)) as api:
        store(api, greeting_project("designer-only"))

        answer = api.post("/api/projects/designer-only/deployments")
        runtime = api.get("/api/runtime").json()

    assert answer.status_code == 409
    assert "--temporal off" in answer.json()["detail"]
    assert runtime == {
        "temporal": "off",
        "deployments": False,
        "address": None,
        "namespace": "default",
        "web_ui_url": None,
        "up": False,
    }


def test_deployment_routes_need_the_token_like_every_other(tmp_path: Path) -> None:
    settings = runtime_settings(tmp_path, runtime="parent", token="s3cret")
    with TestClient(create_app(settings)) as api:
        for method, path in [
            ("POST", "/api/projects/demo/deployments"),
            ("GET", "/api/projects/demo/deployments"),
            ("GET", "/api/deployments/demo-draft-0000000000"),
            ("GET", "/api/deployments/demo-draft-0000000000/log"),
            ("POST", "/api/deployments/demo-draft-0000000000/stop"),
            ("GET", "/api/runtime"),
        ]:
            assert api.request(method, path).status_code == 401, path
        good = {"authorization": "Bearer s3cret"}
        assert api.get("/api/projects/demo/deployments", headers=good).status_code == 404


def test_temporal_settings_come_from_the_environment_the_generated_worker_reads() -> None:
    cluster = Settings.from_env(
        {
            "TEMPORAL_ADDRESS": "temporal.example:7233",
            "TEMPORAL_NAMESPACE": "team",
            "TEMPORAL_API_KEY": "key",
        }
    )
    embedded = Settings.from_env({"DATABASE_URL": "sqlite:////srv/wfd/wfd.db"})
    off = Settings.from_env({"WFD_TEMPORAL": "off", "TEMPORAL_ADDRESS": "temporal.example:7233"})

    assert (cluster.temporal, cluster.temporal_address) == ("external", "temporal.example:7233")
    assert (cluster.temporal_namespace, cluster.temporal_api_key) == ("team", "key")
    assert embedded.temporal == "embedded"
    assert embedded.data_dir == Path("/srv/wfd")  # beside the SQLite database
    assert off.temporal == "off"
    assert off.runtime == "none"


def test_the_embedded_server_takes_dynamic_config_values_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "WFD_TEMPORAL_DYNAMIC_CONFIG": (
                ' system.enableDeploymentVersions=false  matching.PollerHistoryTTL="10s" '
            )
        }
    )

    assert settings.temporal_dynamic_config == (
        "system.enableDeploymentVersions=false",
        'matching.PollerHistoryTTL="10s"',
    )
    with pytest.raises(SettingsError, match="is not `key=value`"):
        Settings.from_env({"WFD_TEMPORAL_DYNAMIC_CONFIG": "system.enableDeploymentVersions"})

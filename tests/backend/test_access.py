"""Who may call the API, how much they may send, what they see when things go wrong."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.settings import Settings, SettingsError
from tests.backend.documents import project, workflow
from tests.backend.live import LiveServer

LOOPBACK = "http://127.0.0.1:8000"
"""An app made from the environment answers to loopback names only (see test_safe_serving)."""


def client(settings: Settings, **options: Any) -> TestClient:
    return TestClient(create_app(settings), **options)


def test_a_token_guards_every_api_route(sqlite_url: str) -> None:
    with client(Settings(database_url=sqlite_url, token="s3cret-token")) as api:
        missing = api.get("/api/projects")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        assert (
            api.get("/api/projects", headers={"authorization": "Bearer wrong"}).status_code == 401
        )
        assert (
            api.get("/api/projects", headers={"authorization": "s3cret-token"}).status_code == 401
        )
        # unknown routes and bad bodies are refused before anything else is looked at
        assert api.get("/api/no-such-route").status_code == 401
        assert api.post("/api/import", content=b"{not json").status_code == 401
        assert api.post("/api/import", json=project()).status_code == 401

        good = {"authorization": "Bearer s3cret-token"}
        assert api.get("/api/projects", headers=good).json() == []
        assert api.post("/api/import", json=project(), headers=good).status_code == 201
        # the documentation stays readable, and says how to authenticate
        schema = api.get("/openapi.json").json()
        assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
        assert schema["paths"]["/api/projects"]["get"]["security"] == [{"bearer": []}]
        assert api.get("/docs").status_code == 200


def test_without_a_token_the_api_is_open(sqlite_api: TestClient) -> None:
    assert sqlite_api.get("/api/projects").status_code == 200
    assert "securitySchemes" not in sqlite_api.get("/openapi.json").json().get("components", {})


def test_bodies_above_the_limit_get_413(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, max_body_bytes=20_000)
    small = project("small")
    big = project("big", [workflow("main", steps=150)])  # about 37 kB
    with client(settings) as api:
        assert api.post("/api/import", json=small).status_code == 201
        announced = api.post("/api/import", json=big)
        assert announced.status_code == 413
        assert "20000 bytes" in announced.json()["detail"]

        # a body sent in chunks, without a length, is counted as it arrives
        payload = httpx.Request("POST", "http://x", json=big).content
        chunks = (payload[i : i + 4096] for i in range(0, len(payload), 4096))
        streamed = api.post(
            "/api/import", content=chunks, headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        assert [p["id"] for p in api.get("/api/projects").json()] == ["small"]


def test_unexpected_failures_answer_500_without_a_traceback(
    sqlite_url: str, tmp_path: Path
) -> None:
    with client(Settings(database_url=sqlite_url), raise_server_exceptions=False) as api:
        api.post("/api/import", json=project())
        # something outside the API damaged the stored document
        with sqlite3.connect(tmp_path / "data" / "wfd.db") as database:
            database.execute("UPDATE project SET settings = '{\"task_queue\": 7}'")
        response = api.get("/api/projects/demo")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; the server log has the details"}
    assert "Traceback" not in response.text


def test_the_built_editor_is_served_at_the_root(sqlite_url: str, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>wfd editor</title>")
    with client(Settings(database_url=sqlite_url, frontend_dist=dist)) as api:
        page = api.get("/")
        assert page.status_code == 200
        assert "wfd editor" in page.text
        assert api.get("/api/projects").status_code == 200
        assert api.get("/docs").status_code == 200
    with client(Settings(database_url=sqlite_url, frontend_dist=tmp_path / "none")) as api:
        assert api.get("/").status_code == 404


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    names = ("DATABASE_URL", "WFD_TOKEN", "WFD_MAX_BODY_BYTES", "WFD_FRONTEND_DIST")
    for name in (*names, "WFD_ALLOWED_HOSTS", "WFD_LISTEN_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_settings_are_read_when_the_app_is_created(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # backend.app is imported already; only now is the environment set
    monkeypatch.setenv("WFD_TOKEN", "late")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{clean_environment / 'elsewhere.db'}")
    with TestClient(create_app(), base_url=LOOPBACK) as api:
        assert api.get("/api/projects").status_code == 401
        assert api.get("/api/projects", headers={"authorization": "Bearer late"}).status_code == 200
    assert (clean_environment / "elsewhere.db").exists()


def test_by_default_data_goes_to_a_sqlite_file_in_wal_mode(clean_environment: Path) -> None:
    with TestClient(create_app(), base_url=LOOPBACK) as api:
        assert api.get("/api/health").json() == {
            "status": "ok",
            "database": "sqlite",
            "storage": "writable",
            "detail": None,
        }
        api.post("/api/import", json=project())
    database = clean_environment / "data" / "wfd.db"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT id FROM project").fetchall() == [("demo",)]


def test_a_bad_body_limit_is_reported(clean_environment: Path) -> None:
    with pytest.raises(SettingsError, match="WFD_MAX_BODY_BYTES"):
        Settings.from_env({"WFD_MAX_BODY_BYTES": "5MB"})
    assert Settings.from_env({"WFD_MAX_BODY_BYTES": "1024"}).max_body_bytes == 1024


def test_wfd_serve_listens_on_loopback_by_default(live_server: LiveServer, sqlite_url: str) -> None:
    url = live_server.start(sqlite_url)
    assert url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{url}/api/health").json()["status"] == "ok"
    assert f"Uvicorn running on http://127.0.0.1:{live_server.port}" in live_server.log()
    assert httpx.get(f"{url}/docs").status_code == 200


def test_the_api_documentation_needs_no_internet_access(sqlite_api: TestClient) -> None:
    """/docs loads Swagger UI from this server: it shows on a machine without internet access."""
    page = sqlite_api.get("/docs")
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) >= 3, page.text
    for asset in assets:
        loaded = sqlite_api.get(asset)
        assert loaded.status_code == 200, asset
        assert len(loaded.content) > 500, asset
    assert "SwaggerUIBundle" in sqlite_api.get("/docs/assets/swagger-ui-bundle.js").text

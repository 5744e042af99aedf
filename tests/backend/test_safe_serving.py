"""A server on a developer's machine that web pages cannot drive: the Host header is checked
(DNS rebinding), the token's scheme is read as HTTP says, every answer carries security
headers, and /api/health says when the database cannot take a write."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from backend.app import create_app
from backend.settings import Settings, SettingsError
from tests.backend.live import LiveServer

LOOPBACK = "http://127.0.0.1:8000"


def from_env(sqlite_url: str, **env: str) -> Settings:
    return Settings.from_env({"DATABASE_URL": sqlite_url, **env})


def status_for(api: TestClient, host: str, path: str = "/api/projects") -> int:
    return api.get(path, headers={"host": host}).status_code


def test_only_the_loopback_names_are_answered_by_default(sqlite_url: str) -> None:
    with TestClient(create_app(from_env(sqlite_url)), base_url=LOOPBACK) as api:
        for host in ("127.0.0.1:8000", "localhost:5173", "LOCALHOST", "[::1]:8000", "127.0.0.1"):
            assert status_for(api, host) == 200, host
        # a page whose own name resolves to 127.0.0.1 (DNS rebinding) still sends its name
        for host in ("attacker.example:8000", "attacker.example", "127.0.0.1.nip.io", "[::2]"):
            refused = api.get("/api/projects", headers={"host": host})
            assert refused.status_code == 400, host
            detail = refused.json()["detail"]
            assert repr(host) in detail
            assert "WFD_ALLOWED_HOSTS" in detail
            assert "127.0.0.1, localhost, [::1]" in detail
        # the editor, /docs and the writes are guarded alike, before anything is read
        assert status_for(api, "attacker.example", "/docs") == 400
        assert status_for(api, "attacker.example", "/") == 400
        posted = api.post("/api/projects", json={"id": "x", "name": "x"}, headers={"host": "a.b"})
        assert posted.status_code == 400
        assert api.get("/api/projects").json() == []
        assert status_for(api, "bad host!") == 400


def test_more_host_names_are_allowed_by_setting(sqlite_url: str) -> None:
    settings = from_env(
        sqlite_url,
        WFD_ALLOWED_HOSTS="wfd.example.com, Designer.Local:8443,::1",
        WFD_LISTEN_HOST="10.1.2.3",
    )
    assert settings.allowed_hosts == (
        "127.0.0.1",
        "localhost",
        "[::1]",
        "10.1.2.3",
        "wfd.example.com",
        "designer.local:8443",
    )
    with TestClient(create_app(settings), base_url=LOOPBACK) as api:
        assert status_for(api, "wfd.example.com") == 200
        assert status_for(api, "wfd.example.com:8000") == 200
        assert status_for(api, "10.1.2.3:8000") == 200
        assert status_for(api, "designer.local:8443") == 200
        assert status_for(api, "designer.local:8000") == 400  # that name on that port only
        assert status_for(api, "other.example.com") == 400
    # every interface (0.0.0.0) names no host: only what is configured is answered
    assert from_env(sqlite_url, WFD_LISTEN_HOST="0.0.0.0").allowed_hosts == (
        "127.0.0.1",
        "localhost",
        "[::1]",
    )
    everyone = from_env(sqlite_url, WFD_ALLOWED_HOSTS="*")
    with TestClient(create_app(everyone), base_url=LOOPBACK) as api:
        assert status_for(api, "anything.example") == 200
    with pytest.raises(SettingsError, match="WFD_ALLOWED_HOSTS"):
        from_env(sqlite_url, WFD_ALLOWED_HOSTS="http://wfd.example.com/")


def raw_get(port: int, host: bytes, path: bytes = b"/api/health") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        request = b"GET " + path + b" HTTP/1.1\r\nhost: " + host + b"\r\nconnection: close\r\n\r\n"
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_wfd_serve_refuses_requests_for_other_hosts(
    live_server: LiveServer, sqlite_url: str
) -> None:
    url = live_server.start(sqlite_url)
    port = live_server.port
    assert raw_get(port, f"127.0.0.1:{port}".encode()).startswith(b"HTTP/1.1 200")
    assert raw_get(port, f"localhost:{port}".encode()).startswith(b"HTTP/1.1 200")
    for host in (b"rebound.example:%d" % port, b"rebound.example"):
        refused = raw_get(port, host)
        assert refused.startswith(b"HTTP/1.1 400"), refused
        assert b"WFD_ALLOWED_HOSTS" in refused
    assert raw_get(port, b"rebound.example", b"/docs").startswith(b"HTTP/1.1 400")
    assert httpx.get(f"{url}/docs").status_code == 200


def test_the_bearer_scheme_is_case_insensitive(sqlite_url: str) -> None:
    with TestClient(create_app(Settings(database_url=sqlite_url, token="t0ken"))) as api:
        for value in ("Bearer t0ken", "bearer t0ken", "BEARER t0ken", "bEaReR   t0ken "):
            assert api.get("/api/projects", headers={"authorization": value}).status_code == 200
        for value in ("Basic t0ken", "Bearer", "Bearer T0KEN", "Bearert0ken", "t0ken"):
            assert api.get("/api/projects", headers={"authorization": value}).status_code == 401
        # the run's event stream is read with fetch, so it carries the header like every call
        events = "/api/runs/some-run/events"
        assert api.get(events).status_code == 401
        assert api.get(events, headers={"authorization": "bearer t0ken"}).status_code != 401


def csp_of(response: httpx.Response | httpx2.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {
        name: value.strip()
        for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
    }


def assert_secure_headers(response: httpx.Response | httpx2.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    policy = csp_of(response)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "unsafe-eval" not in response.headers["content-security-policy"]


def test_the_editor_docs_and_api_answer_with_security_headers(
    sqlite_url: str, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>wfd editor</title>")
    settings = Settings(database_url=sqlite_url, frontend_dist=dist, token="t")
    with TestClient(create_app(settings)) as api:
        editor = api.get("/")
        assert editor.status_code == 200
        assert_secure_headers(editor)
        assert csp_of(editor)["script-src"] == "'self'"
        assert csp_of(editor)["style-src"] == "'self'"
        for path in ("/api/projects", "/api/nothing", "/docs/assets/swagger-ui.css", "/x.js"):
            assert_secure_headers(api.get(path))  # 401 and 404 answers too
        assert_secure_headers(api.get("/api/projects", headers={"authorization": "Bearer t"}))

        docs = api.get("/docs")
        assert docs.status_code == 200
        assert_secure_headers(docs)
        # Swagger UI starts from one inline script: allowed by its hash, and nothing else is
        inline = re.findall(r"<script>(.*?)</script>", docs.text, flags=re.DOTALL)
        assert len(inline) == 1
        digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
        assert csp_of(docs)["script-src"] == f"'self' 'sha256-{digest}'"
        # and no badge from validator.swagger.io: the page loads nothing from elsewhere
        assert '"validatorUrl": null' in inline[0]


# --- /api/health when the database cannot take a write ----------------------------------------


@pytest.fixture
def health_app(database_url: str) -> Iterator[tuple[TestClient, Any]]:
    """The app on SQLite, then on PostgreSQL."""
    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as api:
        yield api, app


def test_health_says_the_database_takes_writes(health_app: tuple[TestClient, Any]) -> None:
    api, app = health_app
    answer = api.get("/api/health")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "database": app.state.engine.dialect.name,
        "storage": "writable",
        "detail": None,
    }
    # the probe wrote nothing: the database is as it was
    assert api.post("/api/projects", json={"id": "p", "name": "P"}).status_code == 201
    assert api.get("/api/health").status_code == 200


def test_health_says_when_the_database_refuses_writes(health_app: tuple[TestClient, Any]) -> None:
    """Every new connection refuses writes: on SQLite by its query_only switch, which fails a
    write with the very error a read-only file gives (SQLITE_READONLY) whoever runs the test
    (root ignores file permissions); on PostgreSQL by default_transaction_read_only, what a
    standby or a database switched to read-only does."""
    api, app = health_app
    engine = app.state.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _query_only)
    else:
        with engine.connect() as connection:
            database = connection.exec_driver_sql("SELECT current_database()").scalar()
            connection.exec_driver_sql(
                f'ALTER DATABASE "{database}" SET default_transaction_read_only = on'
            )
            connection.commit()
    engine.dispose()  # the next connections are made read-only
    answer = api.get("/api/health")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unavailable"
    assert body["storage"] == "read-only"
    assert "read-only" in body["detail"] or "readonly" in body["detail"]
    assert api.get("/api/projects").status_code == 200  # reading still works


def _query_only(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA query_only = ON")


def test_health_says_when_the_database_file_is_read_only(sqlite_url: str, tmp_path: Path) -> None:
    """A read-only file that root cannot write either: the immutable attribute (chattr +i)."""
    database = tmp_path / "data" / "wfd.db"
    with TestClient(create_app(Settings(database_url=sqlite_url))) as api:
        assert api.get("/api/health").status_code == 200
    made = subprocess.run(["chattr", "+i", str(database)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not allowed here: {made.stderr.decode().strip()}")
    try:
        with TestClient(create_app(Settings(database_url=sqlite_url))) as api:
            answer = api.get("/api/health")
            assert answer.status_code == 503
            assert answer.json()["storage"] == "read-only"
            assert api.get("/api/projects").status_code == 200
    finally:
        subprocess.run(["chattr", "-i", str(database)], check=True)


def test_health_says_when_the_disk_is_full(sqlite_url: str) -> None:
    """Free space below what the server keeps for writes (here more than any disk has)."""
    settings = dataclasses.replace(Settings(database_url=sqlite_url), min_free_bytes=2**62)
    with TestClient(create_app(settings)) as api:
        answer = api.get("/api/health")
    assert answer.status_code == 503
    body = answer.json()
    assert (body["status"], body["storage"]) == ("unavailable", "disk full")
    assert "KiB free on the disk of" in body["detail"]

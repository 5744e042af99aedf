"""Backend fixtures: a temporary SQLite file, a fresh PostgreSQL database, the app, live servers.

The storage tests take `api` (or `database_url`) and run once on SQLite and once on the
PostgreSQL named by WFD_TEST_POSTGRES_URL, which ./scripts/test provides.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from backend.app import create_app
from backend.db import normalise_url
from backend.settings import Settings
from tests.backend.live import LiveServer
from tests.backend.runtime_support import runtime_app, runtime_apps  # noqa: F401  (fixtures)

POSTGRES_ENV = "WFD_TEST_POSTGRES_URL"
STORAGE = ["sqlite", "postgresql"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'wfd.db'}"


@contextmanager
def postgresql_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(
            f"{POSTGRES_ENV} is not set: ./scripts/test starts a PostgreSQL and sets it; "
            "by hand, set it to a server where databases may be created"
        )
    name = f"wfd_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(normalise_url(server)).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database of `kind` (sqlite or postgresql)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'data' / 'wfd.db'}"
    else:
        with postgresql_database() as url:
            yield url


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    with postgresql_database() as url:
        yield url


@pytest.fixture(params=STORAGE)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


def _client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    """The app on a fresh database, once per storage backend."""
    yield from _client(Settings(database_url=database_url))


@pytest.fixture
def sqlite_api(sqlite_url: str) -> Iterator[TestClient]:
    """The app on a temporary SQLite file, for routes that do not depend on storage."""
    yield from _client(Settings(database_url=sqlite_url))


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A factory for real `wfd serve` processes; every one still running is stopped at the end."""
    server = LiveServer(tmp_path / "server-logs")
    try:
        yield server
    finally:
        server.stop()

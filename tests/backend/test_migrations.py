"""The schema comes from the Alembic migrations, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from backend.app import create_app
from backend.db import make_engine
from backend.settings import Settings
from tests.backend.documents import project


def test_migrations_build_the_schema_the_models_describe(database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url))):
        pass
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert context.get_current_revision() is not None
            # a change to backend/models.py without a migration shows up here
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_data_survives_a_restart(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    with TestClient(create_app(settings)) as api:
        assert api.post("/api/import", json=project()).status_code == 201
        api.post("/api/projects/demo/workflows/main/versions", json={"message": "kept"})
    with TestClient(create_app(settings)) as api:
        assert api.get("/api/projects/demo/workflows/main").json()["revision"] == 1
        versions = api.get("/api/projects/demo/workflows/main/versions").json()
        assert [v["message"] for v in versions] == ["kept"]

"""Health, the node-type catalogue and the document's JSON Schema."""

from __future__ import annotations

import shutil
from contextlib import suppress
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import Session

from backend.db import SessionDep, run
from backend.models import HealthPublic
from backend.requests import StrictJSONRoute
from backend.services import compiling
from backend.settings import Settings
from language.document import Project
from node_types.base import CatalogueEntry

router = APIRouter(tags=["meta"], route_class=StrictJSONRoute)


@router.get(
    "/health",
    responses={503: {"model": HealthPublic, "description": "the database cannot take a write"}},
)
async def health(request: Request, response: Response, session: SessionDep) -> HealthPublic:
    """The server is up and its database answers and can take a write (probed in a transaction
    that is rolled back); 503 when the database is read-only, its disk full or it fails."""
    settings: Settings = request.app.state.settings
    found = await run(session, _probe, settings.min_free_bytes)
    if found.status != "ok":
        response.status_code = 503
    return found


# SQLite's primary result codes, and PostgreSQL's SQLSTATEs, that say why a write failed
_SQLITE_BUSY = {5, 6}  # BUSY, LOCKED: another connection is writing, so writes work
_SQLITE_READONLY, _SQLITE_FULL = 8, 13
_PG_BUSY = {"55P03", "40P01"}  # lock_not_available, deadlock_detected
_PG_READONLY = {"25006"}  # read_only_sql_transaction (a standby, default_transaction_read_only)
_PG_FULL = {"53100"}  # disk_full


def _probe(session: Session, min_free_bytes: int) -> HealthPublic:
    dialect = session.get_bind().dialect.name
    try:
        connection = session.connection()
        connection.execute(text("SELECT 1"))
        storage, detail = _write_probe(connection)
    except SQLAlchemyError as error:
        return HealthPublic(
            status="unavailable", database=dialect, storage="failing", detail=_reason(error)
        )
    finally:
        with suppress(SQLAlchemyError):  # a connection that failed has nothing to undo
            session.rollback()
    if storage == "writable" and dialect == "sqlite":
        storage, detail = _free_space(session, min_free_bytes)
    return HealthPublic(
        status="ok" if storage == "writable" else "unavailable",
        database=dialect,
        storage=storage,
        detail=detail,
    )


Storage = Literal["writable", "read-only", "disk full", "failing"]


def _write_probe(connection: Connection) -> tuple[Storage, str | None]:
    """Change a row to what it holds, in the request's transaction (rolled back after): the
    database must take the write lock and check that it may write, and nothing is written.

    It never waits for another writer: one that holds the lock shows the database is writable.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql("PRAGMA busy_timeout = 0")
    else:
        connection.execute(text("SET LOCAL lock_timeout = '1s'"))
    try:
        connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except DBAPIError as error:
        original = error.orig
        code = getattr(original, "sqlite_errorcode", None)
        state = getattr(original, "sqlstate", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if primary in _SQLITE_BUSY or state in _PG_BUSY:
            return "writable", None
        if primary == _SQLITE_READONLY or state in _PG_READONLY:
            return "read-only", f"the database refuses writes: {_reason(error)}"
        if primary == _SQLITE_FULL or state in _PG_FULL:
            return "disk full", f"the database's disk is full: {_reason(error)}"
        return "failing", f"a write to the database fails: {_reason(error)}"
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(waited or 0)}")
    return "writable", None


def _free_space(session: Session, min_free_bytes: int) -> tuple[Storage, str | None]:
    """A SQLite file's folder with less free space than `min_free_bytes`: the next saves fail."""
    database = session.get_bind().engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return "writable", None
    folder = Path(database).resolve().parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError as error:
        return "failing", f"cannot read the free space of {folder}: {error.strerror or error}"
    if free < min_free_bytes:
        return "disk full", (
            f"{free // 1024} KiB free on the disk of {folder}, under the "
            f"{min_free_bytes // 1024} KiB the server keeps for writes"
        )
    return "writable", None


def _reason(error: SQLAlchemyError) -> str:
    text_ = str(getattr(error, "orig", None) or error).strip()
    return text_.splitlines()[0] if text_ else type(error).__name__


@router.get("/node-types")
def node_types() -> list[CatalogueEntry]:
    """Every node kind: UI metadata, ports, the JSON Schema of its config, its defaults."""
    return compiling.node_types()


@router.get("/schema")
def document_schema() -> dict[str, Any]:
    """The JSON Schema of a project document (schema_version 1)."""
    return Project.model_json_schema()

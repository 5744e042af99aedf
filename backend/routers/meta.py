"""Health, the node-type catalogue and the document's JSON Schema."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text
from sqlmodel import Session

from backend.db import SessionDep, run
from backend.models import HealthPublic, NodeTypePublic
from backend.requests import StrictJSONRoute
from backend.services import compiling
from compiler.document import Project

router = APIRouter(tags=["meta"], route_class=StrictJSONRoute)


@router.get("/health")
async def health(session: SessionDep) -> HealthPublic:
    """The server is up and its database answers."""
    return await run(session, _ping)


def _ping(session: Session) -> HealthPublic:
    session.connection().execute(text("SELECT 1"))
    return HealthPublic(status="ok", database=session.get_bind().dialect.name)


@router.get("/node-types")
def node_types() -> list[NodeTypePublic]:
    """Every node kind: UI metadata, ports, the JSON Schema of its config, its defaults."""
    return compiling.node_types()


@router.get("/schema")
def document_schema() -> dict[str, Any]:
    """The JSON Schema of a project document (schema_version 1)."""
    return Project.model_json_schema()

"""Loading rows by id, turning them into public shapes, and the 404s for missing ones."""

from __future__ import annotations

from typing import Any

import pydantic_core
from sqlmodel import Session, col, func, select

from backend.errors import NotFound
from backend.models import (
    ProjectPublic,
    ProjectRecord,
    ProjectSettings,
    VersionRecord,
    WorkflowMeta,
    WorkflowRecord,
    WorkflowSummary,
)


def project_or_404(session: Session, project_id: str) -> ProjectRecord:
    record = session.get(ProjectRecord, project_id)
    if record is None:
        raise NotFound(f"project {project_id!r} does not exist")
    return record


def workflow_or_404(session: Session, project_id: str, workflow_id: str) -> WorkflowRecord:
    record = session.get(WorkflowRecord, (project_id, workflow_id))
    if record is None:
        project_or_404(session, project_id)
        raise NotFound(f"workflow {workflow_id!r} does not exist in project {project_id!r}")
    return record


def version_or_404(
    session: Session, project_id: str, workflow_id: str, number: int
) -> VersionRecord:
    record = session.get(VersionRecord, (project_id, workflow_id, number))
    if record is None:
        workflow_or_404(session, project_id, workflow_id)
        raise NotFound(f"workflow {workflow_id!r} has no version {number}")
    return record


def workflows_of(session: Session, project_id: str) -> list[WorkflowRecord]:
    statement = (
        select(WorkflowRecord)
        .where(col(WorkflowRecord.project_id) == project_id)
        .order_by(col(WorkflowRecord.position), col(WorkflowRecord.id))
    )
    return list(session.exec(statement))


def workflow_counts(session: Session) -> dict[str, int]:
    statement = select(WorkflowRecord.project_id, func.count()).group_by(
        col(WorkflowRecord.project_id)
    )
    return {project_id: count for project_id, count in session.exec(statement)}


def settings_of(record: ProjectRecord) -> ProjectSettings:
    return ProjectSettings.model_validate_json(record.settings)


def summary_of(record: WorkflowRecord) -> WorkflowSummary:
    document: dict[str, Any] = pydantic_core.from_json(record.document)
    return WorkflowSummary(
        id=record.id,
        name=document.get("name", ""),
        description=document.get("description", ""),
        revision=record.revision,
        node_count=len(document.get("nodes", ())),
        edge_count=len(document.get("edges", ())),
        version_count=record.last_version,
        updated_at=record.updated_at,
    )


def project_public(session: Session, record: ProjectRecord) -> ProjectPublic:
    settings = settings_of(record)
    return ProjectPublic(
        **settings.model_dump(),
        id=record.id,
        revision=record.revision,
        created_at=record.created_at,
        updated_at=record.updated_at,
        workflows=[summary_of(w) for w in workflows_of(session, record.id)],
    )


def workflow_json(meta: WorkflowMeta, document: str) -> bytes:
    """A WorkflowPublic as JSON, around the document text as it was stored.

    The text was written by the Workflow model when it was saved, so it is already valid and
    complete; passing it through spares a parse, a validation and a serialisation of every
    node on each load, the API's most frequent call.
    """
    head = meta.model_dump_json()
    return f'{head[:-1]},"document":{document}}}'.encode()


def workflow_meta(record: WorkflowRecord) -> WorkflowMeta:
    return WorkflowMeta(
        project_id=record.project_id,
        id=record.id,
        revision=record.revision,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )

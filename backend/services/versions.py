"""Immutable snapshots of a workflow's draft: make, list, read, restore, compare."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from backend.db import writing
from backend.errors import Conflict
from backend.models import (
    DiffPublic,
    RestoreRequest,
    VersionCreate,
    VersionPublic,
    VersionRecord,
    VersionSummary,
    WorkflowRecord,
    utc_now,
)
from backend.services.diff import diff_workflows
from backend.services.records import version_or_404, workflow_or_404
from backend.services.workflows import replace_draft
from language.document import Workflow

DRAFT = "draft"


def list_versions(session: Session, project_id: str, workflow_id: str) -> list[VersionSummary]:
    workflow_or_404(session, project_id, workflow_id)
    records = session.exec(
        select(VersionRecord)
        .where(
            col(VersionRecord.project_id) == project_id,
            col(VersionRecord.workflow_id) == workflow_id,
        )
        .order_by(col(VersionRecord.number))
    )
    return [_summary(record) for record in records]


def create_version(
    session: Session, project_id: str, workflow_id: str, data: VersionCreate
) -> tuple[VersionPublic, bool]:
    """The new version, and True; or, when the newest version already holds the draft as it is
    (the same revision), that version and False: a snapshot of an unchanged draft stores
    nothing again."""
    # One statement takes the next number and reads the draft it snapshots, so two versions
    # made at once get different numbers and each holds a draft that really existed.
    statement = (
        update(WorkflowRecord)
        .where(col(WorkflowRecord.project_id) == project_id, col(WorkflowRecord.id) == workflow_id)
        .values(last_version=col(WorkflowRecord.last_version) + 1)
        .returning(
            col(WorkflowRecord.last_version),
            col(WorkflowRecord.document),
            col(WorkflowRecord.revision),
        )
        .execution_options(synchronize_session=False)
    )
    if data.revision is not None:
        statement = statement.where(col(WorkflowRecord.revision) == data.revision)
    with writing(session):
        newest = _newest_of_revision(session, project_id, workflow_id, data.revision)
        if newest is not None:
            answer = _public(newest)
            session.rollback()  # the row lock taken to look
            return answer, False
        row = session.exec(statement).first()
        if row is None:
            session.rollback()
            current = workflow_or_404(session, project_id, workflow_id)
            raise Conflict(
                f"workflow {workflow_id!r} is at revision {current.revision}, not {data.revision}; "
                "reload it before making a version",
                current.revision,
            )
        number, document, revision = row
        record = VersionRecord(
            project_id=project_id,
            workflow_id=workflow_id,
            number=number,
            message=data.message,
            document=document,
            revision=revision,
            created_at=utc_now(),
        )
        session.add(record)
        session.commit()
    return _public(record), True


def _newest_of_revision(
    session: Session, project_id: str, workflow_id: str, revision: int | None
) -> VersionRecord | None:
    """The newest version, if it holds the draft's current revision (and `revision`, when
    given, is that one). The draft's row stays locked until the transaction ends, so snapshots
    asked for at once on PostgreSQL take turns, as SQLite's writers do."""
    key = (project_id, workflow_id)
    draft = session.get(WorkflowRecord, key, with_for_update=True) or workflow_or_404(
        session, project_id, workflow_id
    )
    if revision is not None and revision != draft.revision:
        return None  # the update below refuses it
    newest = session.exec(
        select(VersionRecord)
        .where(
            col(VersionRecord.project_id) == project_id,
            col(VersionRecord.workflow_id) == workflow_id,
        )
        .order_by(col(VersionRecord.number).desc())
        .limit(1)
    ).first()
    return newest if newest is not None and newest.revision == draft.revision else None


def read_version(session: Session, project_id: str, workflow_id: str, number: int) -> VersionPublic:
    return _public(version_or_404(session, project_id, workflow_id, number))


def restore_version(
    session: Session, project_id: str, workflow_id: str, number: int, data: RestoreRequest
) -> bytes:
    """The version becomes the draft, as a new revision; the versions stay as they were."""
    version = version_or_404(session, project_id, workflow_id, number)
    document = Workflow.model_validate_json(version.document)
    return replace_draft(session, project_id, workflow_id, data.revision, document)


def diff(
    session: Session, project_id: str, workflow_id: str, from_version: str, to_version: str
) -> DiffPublic:
    """`from_version` and `to_version` are version numbers or `draft`."""
    before = _document(session, project_id, workflow_id, from_version)
    after = _document(session, project_id, workflow_id, to_version)
    return diff_workflows(before, after, from_version, to_version)


def _document(session: Session, project_id: str, workflow_id: str, which: str) -> Workflow:
    if which == DRAFT:
        text = workflow_or_404(session, project_id, workflow_id).document
    else:
        text = version_or_404(session, project_id, workflow_id, int(which)).document
    return Workflow.model_validate_json(text)


def _summary(record: VersionRecord) -> VersionSummary:
    return VersionSummary(
        number=record.number,
        message=record.message,
        revision=record.revision,
        created_at=record.created_at,
    )


def _public(record: VersionRecord) -> VersionPublic:
    return VersionPublic(
        **_summary(record).model_dump(), document=Workflow.model_validate_json(record.document)
    )

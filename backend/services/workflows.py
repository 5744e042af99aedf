"""Workflows inside a project; every save names the revision it was based on.

Drafts are answered as ready JSON (the shape of WorkflowPublic) around the stored text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from backend.db import writing
from backend.errors import Conflict, Invalid, NotFound
from backend.models import (
    WorkflowCreate,
    WorkflowMeta,
    WorkflowRecord,
    WorkflowRevision,
    WorkflowSummary,
    WorkflowUpdate,
    utc_now,
)
from backend.services.records import (
    project_or_404,
    summary_of,
    workflow_json,
    workflow_meta,
    workflow_or_404,
    workflows_of,
)
from language.diagnostics import Codes, Diagnostic
from language.document import Workflow


def list_workflows(session: Session, project_id: str) -> list[WorkflowSummary]:
    project_or_404(session, project_id)
    return [summary_of(record) for record in workflows_of(session, project_id)]


def draft_revision(session: Session, project_id: str, workflow_id: str) -> WorkflowRevision:
    """The draft's revision and write time, without reading its document."""
    found = session.exec(
        select(WorkflowRecord.revision, WorkflowRecord.updated_at).where(
            col(WorkflowRecord.project_id) == project_id, col(WorkflowRecord.id) == workflow_id
        )
    ).first()
    if found is None:
        workflow_or_404(session, project_id, workflow_id)  # says which of the two is missing
        raise NotFound(f"workflow {workflow_id!r} does not exist")
    revision, written = found
    return WorkflowRevision(revision=revision, updated_at=written)


def create_workflow(session: Session, project_id: str, data: WorkflowCreate) -> bytes:
    document = data.document.model_dump_json()
    now = utc_now()
    with writing(session):
        project_or_404(session, project_id)
        last = session.exec(
            select(func.max(WorkflowRecord.position)).where(
                col(WorkflowRecord.project_id) == project_id
            )
        ).one()
        session.add(
            WorkflowRecord(
                project_id=project_id,
                id=data.document.id,
                position=(last or 0) + 1,
                document=document,
                created_at=now,
                updated_at=now,
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = workflow_or_404(session, project_id, data.document.id)
            raise Conflict(
                f"project {project_id!r} already has a workflow {data.document.id!r}; "
                "choose another id",
                existing.revision,
            ) from None
    meta = WorkflowMeta(
        project_id=project_id, id=data.document.id, revision=1, created_at=now, updated_at=now
    )
    return workflow_json(meta, document)


def read_workflow(session: Session, project_id: str, workflow_id: str) -> bytes:
    record = workflow_or_404(session, project_id, workflow_id)
    return workflow_json(workflow_meta(record), record.document)


def save_workflow(
    session: Session, project_id: str, workflow_id: str, data: WorkflowUpdate
) -> bytes:
    return replace_draft(session, project_id, workflow_id, data.revision, data.document)


def replace_draft(
    session: Session, project_id: str, workflow_id: str, based_on: int, document: Workflow
) -> bytes:
    """Compare-and-set in one statement: the draft changes only if it is still at `based_on`."""
    if document.id != workflow_id:
        raise Invalid(
            "the document does not belong to this workflow",
            [
                Diagnostic(
                    Codes.SCHEMA,
                    f"the document's id {document.id!r} differs from the workflow "
                    f"{workflow_id!r} it is saved to; a workflow keeps its id",
                    workflow_id=workflow_id,
                    field="document.id",
                )
            ],
        )
    answer, _meta = store_draft(
        session, project_id, workflow_id, based_on, document.model_dump_json()
    )
    return answer


_TABLE = WorkflowRecord.__table__  # type: ignore[attr-defined]
_NEXT_REVISION = (
    update(_TABLE)
    .where(
        _TABLE.c.project_id == bindparam("project"),
        _TABLE.c.id == bindparam("workflow"),
        _TABLE.c.revision == bindparam("based_on"),
    )
    .values(document=bindparam("text"), revision=_TABLE.c.revision + 1, updated_at=bindparam("now"))
    .returning(_TABLE.c.created_at)
)
"""The compare-and-set of a save, built once: a save runs it with its own values and the
statement is neither built nor compiled again."""
_NEXT_REVISION_OF_WRITE = _NEXT_REVISION.where(_TABLE.c.updated_at == bindparam("written"))
"""The same, only on the revision written at a given time (a workflow deleted and made again
starts again at revision 1)."""


def store_draft(
    session: Session, project_id: str, workflow_id: str, based_on: int, text: str
) -> tuple[bytes, WorkflowMeta]:
    """Store a valid document's text as the draft's next revision, if it is still at
    `based_on` (409 otherwise); the answer, and the stored revision's meta."""
    stored = try_store_draft(session, project_id, workflow_id, based_on, text)
    if stored is None:
        current = workflow_or_404(session, project_id, workflow_id)
        raise Conflict(
            f"workflow {workflow_id!r} was saved by someone else since revision "
            f"{based_on}; it is now at revision {current.revision}: reload it and apply "
            "your change again",
            current.revision,
        )
    return stored


def try_store_draft(
    session: Session,
    project_id: str,
    workflow_id: str,
    based_on: int,
    text: str,
    written: datetime | None = None,
) -> tuple[bytes, WorkflowMeta] | None:
    """`store_draft`, or None, storing nothing, when the draft is not at `based_on` (or, given
    `written`, not at the revision written then)."""
    now = utc_now()
    values = {
        "project": project_id,
        "workflow": workflow_id,
        "based_on": based_on,
        "text": text,
        "now": now,
    }
    statement = _NEXT_REVISION
    if written is not None:
        statement, values["written"] = _NEXT_REVISION_OF_WRITE, written
    with writing(session):
        found = session.connection().execute(statement, values).first()
        if found is None:
            session.rollback()
            return None
        session.commit()
    meta = WorkflowMeta(
        project_id=project_id,
        id=workflow_id,
        revision=based_on + 1,
        created_at=found[0],
        updated_at=now,
    )
    return workflow_json(meta, text), meta


def delete_workflow(session: Session, project_id: str, workflow_id: str) -> None:
    with writing(session):
        deleted = session.exec(
            delete(WorkflowRecord).where(
                col(WorkflowRecord.project_id) == project_id,
                col(WorkflowRecord.id) == workflow_id,
            )
        )
        if deleted.rowcount != 1:
            session.rollback()
            workflow_or_404(session, project_id, workflow_id)
            raise NotFound(f"workflow {workflow_id!r} does not exist")
        session.commit()

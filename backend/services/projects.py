"""Projects: create, list, read, update, delete, and the whole-project export and import."""

from __future__ import annotations

from datetime import datetime

import pydantic_core
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.db import writing
from backend.errors import Conflict, Invalid
from backend.models import (
    ProjectCreate,
    ProjectPublic,
    ProjectRecord,
    ProjectSettings,
    ProjectSummary,
    ProjectUpdate,
    WorkflowRecord,
    utc_now,
)
from backend.services.records import (
    project_or_404,
    project_public,
    settings_of,
    workflow_counts,
    workflows_of,
)
from language.diagnostics import Codes, Diagnostic
from language.document import Project, Workflow, compact


def list_projects(session: Session) -> list[ProjectSummary]:
    counts = workflow_counts(session)
    records = session.exec(select(ProjectRecord).order_by(col(ProjectRecord.id)))
    summaries = []
    for record in records:
        settings = settings_of(record)
        summaries.append(
            ProjectSummary(
                id=record.id,
                name=settings.name,
                description=settings.description,
                revision=record.revision,
                workflow_count=counts.get(record.id, 0),
                created_at=record.created_at,
                updated_at=record.updated_at,
            )
        )
    return summaries


def create_project(session: Session, data: ProjectCreate) -> ProjectPublic:
    now = utc_now()
    settings = ProjectSettings.model_validate(data.model_dump(exclude={"id"}))
    record = ProjectRecord(
        id=data.id, settings=settings.model_dump_json(), created_at=now, updated_at=now
    )
    with writing(session):
        session.add(record)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = project_or_404(session, data.id)
            raise Conflict(
                f"a project with id {data.id!r} already exists; choose another id",
                existing.revision,
            ) from None
    return project_public(session, record)


def read_project(session: Session, project_id: str) -> ProjectPublic:
    return project_public(session, project_or_404(session, project_id))


def update_project(session: Session, project_id: str, changes: ProjectUpdate) -> ProjectPublic:
    record = project_or_404(session, project_id)
    stale = Conflict(
        f"project {project_id!r} changed since revision {changes.revision}; "
        "reload it and apply your change again",
        record.revision,
    )
    if record.revision != changes.revision:
        raise stale
    merged = settings_of(record).model_dump()
    merged.update(changes.model_dump(exclude={"revision"}, exclude_none=True))
    settings = ProjectSettings.model_validate(merged).model_dump_json()
    with writing(session):
        written = session.exec(
            update(ProjectRecord)
            .where(
                col(ProjectRecord.id) == project_id,
                col(ProjectRecord.revision) == changes.revision,
            )
            .values(
                settings=settings, revision=col(ProjectRecord.revision) + 1, updated_at=utc_now()
            )
            .execution_options(synchronize_session=False)
        )
        if written.rowcount != 1:
            session.rollback()
            stale.current_revision = project_or_404(session, project_id).revision
            raise stale
        session.commit()
    return read_project(session, project_id)


def delete_project(session: Session, project_id: str) -> None:
    with writing(session):
        deleted = session.exec(delete(ProjectRecord).where(col(ProjectRecord.id) == project_id))
        if deleted.rowcount != 1:
            session.rollback()
            project_or_404(session, project_id)
        session.commit()


def export_json(session: Session, project_id: str, without_defaults: bool) -> bytes:
    """The project as the document import reads; `without_defaults`, the fields at their
    defaults left out, so the file is about as large as what was imported."""
    document = export_project(session, project_id)
    if without_defaults:
        return pydantic_core.to_json(compact(document))
    return document.model_dump_json().encode()


def export_project(session: Session, project_id: str) -> Project:
    record = project_or_404(session, project_id)
    settings = settings_of(record)
    return Project(
        id=record.id,
        **settings.model_dump(),
        workflows=[
            Workflow.model_validate_json(w.document) for w in workflows_of(session, record.id)
        ],
    )


def import_project(session: Session, document: Project, overwrite: bool) -> ProjectPublic:
    """Store a whole project; an existing one is replaced only when `overwrite` is set.

    Replacing keeps the history of workflows that the import still contains: their drafts get
    the next revision (so an editor holding the old one gets 409) and their versions stay.
    """
    _refuse_duplicate_workflows(document)
    with writing(session):
        existing = session.get(ProjectRecord, document.id)
        if existing is not None and not overwrite:
            raise Conflict(
                f"project {document.id!r} already exists; "
                "import with ?overwrite=true to replace it",
                existing.revision,
            )
        now = utc_now()
        settings = ProjectSettings.model_validate(
            document.model_dump(exclude={"schema_version", "id", "workflows"})
        ).model_dump_json()
        try:
            if existing is None:
                session.add(
                    ProjectRecord(id=document.id, settings=settings, created_at=now, updated_at=now)
                )
                session.flush()
            else:
                replaced = session.exec(
                    update(ProjectRecord)
                    .where(col(ProjectRecord.id) == document.id)
                    .values(
                        settings=settings,
                        revision=col(ProjectRecord.revision) + 1,
                        updated_at=now,
                    )
                    .execution_options(synchronize_session=False)
                )
                if replaced.rowcount != 1:  # deleted in the meantime: store it anew
                    session.add(
                        ProjectRecord(
                            id=document.id, settings=settings, created_at=now, updated_at=now
                        )
                    )
                    session.flush()
            _replace_workflows(session, document, now)
            session.commit()
        except IntegrityError:
            # another request created the same project in the meantime
            session.rollback()
            raise Conflict(
                f"project {document.id!r} was created by another request; import again with "
                "?overwrite=true to replace it",
                project_or_404(session, document.id).revision,
            ) from None
    return project_public(session, project_or_404(session, document.id))


def _refuse_duplicate_workflows(document: Project) -> None:
    seen: set[str] = set()
    diagnostics = []
    for index, workflow in enumerate(document.workflows):
        if workflow.id in seen:
            diagnostics.append(
                Diagnostic(
                    Codes.DUPLICATE_WORKFLOW,
                    f"two workflows have the id {workflow.id!r}; give each a different id",
                    workflow_id=workflow.id,
                    field=f"workflows.{index}.id",
                )
            )
        seen.add(workflow.id)
    if diagnostics:
        raise Invalid("the project cannot be stored; see diagnostics", diagnostics)


def _replace_workflows(session: Session, document: Project, now: datetime) -> None:
    kept = {w.id for w in document.workflows}
    present = {w.id for w in workflows_of(session, document.id)}
    gone = present - kept
    if gone:
        session.exec(
            delete(WorkflowRecord).where(
                col(WorkflowRecord.project_id) == document.id, col(WorkflowRecord.id).in_(gone)
            )
        )
    for position, workflow in enumerate(document.workflows):
        text = workflow.model_dump_json()
        if workflow.id in present:
            session.exec(
                update(WorkflowRecord)
                .where(
                    col(WorkflowRecord.project_id) == document.id,
                    col(WorkflowRecord.id) == workflow.id,
                )
                .values(
                    document=text,
                    position=position,
                    revision=col(WorkflowRecord.revision) + 1,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        else:
            session.add(
                WorkflowRecord(
                    project_id=document.id,
                    id=workflow.id,
                    position=position,
                    document=text,
                    created_at=now,
                    updated_at=now,
                )
            )
    session.flush()

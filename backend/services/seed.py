"""The sample projects in the database: created once, kept, or recreated on request."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from backend.models import ProjectRecord
from backend.services.projects import delete_project, import_project
from language.document import Project


def seed(session: Session, documents: list[dict[str, Any]], reset: bool = False) -> list[str]:
    """Store each sample project; one line per project saying what happened.

    An existing project is kept as it is (someone may have edited it) unless `reset` asks for
    it to be recreated from the sample, history included.
    """
    report: list[str] = []
    for document in documents:
        project = Project.model_validate(document)
        exists = session.get(ProjectRecord, project.id) is not None
        if exists and not reset:
            report.append(f"kept {project.id}")
            continue
        if exists:
            delete_project(session, project.id)
        import_project(session, project, overwrite=False)
        report.append(f"{'recreated' if exists else 'created'} {project.id}")
    return report


def is_empty(session: Session) -> bool:
    return session.exec(select(ProjectRecord.id).limit(1)).first() is None

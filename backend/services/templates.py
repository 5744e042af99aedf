"""Templates to start from: the sample projects, and small patterns kept in samples/templates/.

A template is a project document. A new project made from one takes the new id (and that id as
its task queue, so its worker never shares a queue with another project made from the same
template). A pattern can also be added to an existing project: its first workflow under the id
asked for, with the workflows, activities and types it needs, each added only when the project
does not have it already.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

import samples
from backend.db import writing
from backend.errors import Conflict, NotFound
from backend.models import (
    ProjectFromTemplate,
    ProjectPublic,
    ProjectRecord,
    ProjectSettings,
    TemplatePublic,
    WorkflowFromTemplate,
    WorkflowRecord,
    utc_now,
)
from backend.services.projects import import_project
from backend.services.records import project_or_404, project_public, settings_of, workflows_of
from language.document import ActivityDef, Project, TypeDef, Types, Workflow

PATTERNS_FOLDER = samples.FOLDER / "templates"


@functools.cache
def _templates() -> dict[str, tuple[TemplatePublic, Project]]:
    """Every template by id: the sample projects first, then the patterns, each in name order."""
    found: dict[str, tuple[TemplatePublic, Project]] = {}
    for kind, paths in (("project", samples.paths()), ("pattern", _pattern_paths())):
        for path in paths:
            document = Project.model_validate_json(path.read_text(encoding="utf-8"))
            summary = TemplatePublic(
                id=document.id,
                kind="project" if kind == "project" else "pattern",
                name=document.name or document.id,
                description=document.description,
                workflows=[w.name or w.id for w in document.workflows],
                node_count=sum(len(w.nodes) for w in document.workflows),
            )
            found[document.id] = (summary, document)
    return found


def _pattern_paths() -> list[Path]:
    return sorted(PATTERNS_FOLDER.glob("*.json"))


def list_templates() -> list[TemplatePublic]:
    return [summary for summary, _ in _templates().values()]


def template_document(template_id: str, kind: str | None = None) -> Project:
    """The template's document (a copy: callers may change it); 404 when there is no template
    of that id (of that kind, when one is named)."""
    found = _templates().get(template_id)
    if found is None or (kind is not None and found[0].kind != kind):
        offered = sorted(
            t for t, (summary, _) in _templates().items() if kind in (None, summary.kind)
        )
        what = "template" if kind is None else kind
        raise NotFound(f"there is no {what} {template_id!r}; the {what}s are {', '.join(offered)}")
    return found[1].model_copy(deep=True)


def project_from_template(session: Session, data: ProjectFromTemplate) -> ProjectPublic:
    """A new project from the template; 409 when the id is taken."""
    document = template_document(data.template)
    document.id = data.id
    document.name = data.name or document.name
    document.task_queue = data.id
    return import_project(session, document, overwrite=False)


def workflow_from_template(
    session: Session, project_id: str, data: WorkflowFromTemplate
) -> ProjectPublic:
    """Add a pattern's workflow to the project, with what it needs; 409 where something of the
    same name is there already and differs (the workflow's own id included)."""
    template = template_document(data.template, "pattern")
    main, *helpers = template.workflows
    main.id = data.workflow_id
    with writing(session):
        record = project_or_404(session, project_id)
        settings = settings_of(record)
        present = {w.id: w for w in workflows_of(session, project_id)}

        def conflict(detail: str) -> Conflict:
            return Conflict(detail, record.revision)

        pattern = _Pattern(data.template, project_id, conflict)
        added = pattern.workflows(main, helpers, present)
        activities = pattern.activities(settings.activities, template.activities)
        types = pattern.types(settings.types, template.types)
        now = utc_now()
        changed = ProjectSettings.model_validate(
            {**settings.model_dump(), "activities": activities, "types": types}
        )
        if changed != settings:
            _write_settings(session, project_id, record.revision, changed, now)
        _add_workflows(session, project_id, added, now)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise Conflict(
                f"a workflow of pattern {data.template!r} was added to project {project_id!r} "
                "by another request meanwhile; reload the project",
                project_or_404(session, project_id).revision,
            ) from None
    session.expire_all()
    return project_public(session, project_or_404(session, project_id))


@dataclass
class _Pattern:
    """What a pattern adds to a project: each workflow, activity and type it needs that the
    project does not have; a conflict where the project has a different one of that name."""

    name: str
    project_id: str
    conflict: Callable[[str], Conflict]

    def workflows(
        self, main: Workflow, helpers: list[Workflow], present: dict[str, WorkflowRecord]
    ) -> list[Workflow]:
        if main.id in present:
            raise self.conflict(
                f"project {self.project_id!r} already has a workflow {main.id!r}; choose another id"
            )
        added = [main]
        for helper in helpers:
            if helper.id == main.id:
                raise self.conflict(
                    f"pattern {self.name!r} needs a workflow {helper.id!r} of its own; "
                    "choose another id"
                )
            existing = present.get(helper.id)
            if existing is None:
                added.append(helper)
            elif Workflow.model_validate_json(existing.document) != helper:
                raise self.conflict(
                    f"pattern {self.name!r} needs workflow {helper.id!r}, and project "
                    f"{self.project_id!r} has a different one of that id; rename yours first"
                )
        return added

    def activities(self, mine: list[ActivityDef], needed: list[ActivityDef]) -> list[ActivityDef]:
        activities = list(mine)
        have_activities = {a.name: a for a in activities}
        for activity in needed:
            have = have_activities.get(activity.name)
            if have is None:
                activities.append(activity)
            elif have != activity:
                raise self.different("activity", activity.name)
        return activities

    def types(self, mine: Types, needed: Types) -> dict[str, TypeDef]:
        types = dict(mine)
        for name, definition in needed.items():
            if name not in types:
                types[name] = definition
            elif types[name] != definition:
                raise self.different("type", name)
        return types

    def different(self, what: str, name: str) -> Conflict:
        return self.conflict(
            f"pattern {self.name!r} needs {what} {name!r}, and project "
            f"{self.project_id!r} has a different one of that name; rename yours first"
        )


def _write_settings(
    session: Session, project_id: str, revision: int, changed: ProjectSettings, now: datetime
) -> None:
    """The project's new settings, if nobody changed the project since its `revision`."""
    written = session.exec(
        update(ProjectRecord)
        .where(
            col(ProjectRecord.id) == project_id,
            col(ProjectRecord.revision) == revision,
        )
        .values(
            settings=changed.model_dump_json(),
            revision=col(ProjectRecord.revision) + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        session.rollback()
        raise Conflict(
            f"project {project_id!r} changed meanwhile; add the pattern again",
            project_or_404(session, project_id).revision,
        )


def _add_workflows(session: Session, project_id: str, added: list[Workflow], now: datetime) -> None:
    """The workflows, after the project's others."""
    last = session.exec(
        select(func.max(WorkflowRecord.position)).where(
            col(WorkflowRecord.project_id) == project_id
        )
    ).one()
    for offset, workflow in enumerate(added, start=1):
        session.add(
            WorkflowRecord(
                project_id=project_id,
                id=workflow.id,
                position=(last or 0) + offset,
                document=workflow.model_dump_json(),
                created_at=now,
                updated_at=now,
            )
        )

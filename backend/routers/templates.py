"""Templates: start a project from a sample or a pattern, or add a pattern's workflow."""

from __future__ import annotations

from fastapi import APIRouter, status

from backend.db import SessionDep, run
from backend.models import ProjectFromTemplate, ProjectPublic, TemplatePublic, WorkflowFromTemplate
from backend.requests import StrictJSONRoute
from backend.routers.params import CONFLICT, NOT_FOUND, ProjectId
from backend.services import templates

router = APIRouter(tags=["templates"], route_class=StrictJSONRoute)


@router.get("/templates")
async def list_templates() -> list[TemplatePublic]:
    """The sample projects, then the patterns (which can also be added to a project)."""
    return templates.list_templates()


# Neither path lies under a route with an id in its place (`/projects/{project_id}`,
# `/projects/{project_id}/workflows/{workflow_id}`), where `from-template` would be read as one.
@router.post(
    "/projects-from-template",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
)
async def create_project_from_template(
    session: SessionDep, data: ProjectFromTemplate
) -> ProjectPublic:
    """A new project, a copy of the template under the id given (409 when it is taken, 404
    when there is no such template)."""
    return await run(session, templates.project_from_template, data)


@router.post(
    "/projects/{project_id}/workflows-from-template",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
)
async def add_workflow_from_template(
    session: SessionDep, project_id: ProjectId, data: WorkflowFromTemplate
) -> ProjectPublic:
    """The pattern's workflow under `workflow_id`, with the workflows, activities and types it
    needs that the project lacks; 409 when one the project has under that name differs, 404
    when there is no such project or pattern."""
    return await run(session, templates.workflow_from_template, project_id, data)

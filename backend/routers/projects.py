"""Projects, and a whole project exported or imported as one document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from backend.db import SessionDep, run
from backend.models import ProjectCreate, ProjectPublic, ProjectSummary, ProjectUpdate
from backend.requests import StrictJSONRoute
from backend.routers.params import CONFLICT, NOT_FOUND, ProjectId, Responses, ready_json
from backend.services import projects
from language.document import Project

router = APIRouter(tags=["projects"], route_class=StrictJSONRoute)


@router.get("/projects")
async def list_projects(session: SessionDep) -> list[ProjectSummary]:
    return await run(session, projects.list_projects)


@router.post("/projects", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def create_project(session: SessionDep, data: ProjectCreate) -> ProjectPublic:
    return await run(session, projects.create_project, data)


@router.get("/projects/{project_id}", responses=NOT_FOUND)
async def read_project(session: SessionDep, project_id: ProjectId) -> ProjectPublic:
    return await run(session, projects.read_project, project_id)


@router.patch("/projects/{project_id}", responses={**NOT_FOUND, **CONFLICT})
async def update_project(
    session: SessionDep, project_id: ProjectId, changes: ProjectUpdate
) -> ProjectPublic:
    """Change settings; `revision` must be the project's current one, or the answer is 409."""
    return await run(session, projects.update_project, project_id, changes)


@router.delete(
    "/projects/{project_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
async def delete_project(session: SessionDep, project_id: ProjectId) -> Response:
    """Delete the project with its workflows and their versions."""
    await run(session, projects.delete_project, project_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# The answer is a document as `import` reads it: with `compact`, the fields at their defaults are
# left out, so its schema is the document's own (what requests carry), not that of a complete
# answer. `Project` is read by validate, compile and import, and written by no route, so that
# schema is the component named `Project` (should that change, scripts/gen_api_types and
# tests/backend/test_openapi_document.py fail on the reference to no schema).
EXPORTED: Responses = {
    200: {
        "description": "The project document",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}},
    },
    **NOT_FOUND,
}


@router.get("/projects/{project_id}/export", response_model=None, responses=EXPORTED)
async def export_project(
    session: SessionDep,
    project_id: ProjectId,
    compact: Annotated[
        bool,
        Query(
            description="leave out the fields at their default values: the file is about as "
            "large as what was imported, so it can always be imported again"
        ),
    ] = False,
) -> Response:
    """The whole project as one document, the shape `wfd compile` and import read."""
    return ready_json(await run(session, projects.export_json, project_id, compact))


@router.post("/import", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def import_project(
    session: SessionDep,
    document: Project,
    overwrite: Annotated[bool, Query(description="replace a project with the same id")] = False,
) -> ProjectPublic:
    """Store a whole project document; an existing id gets 409 unless `overwrite=true`."""
    return await run(session, projects.import_project, document, overwrite)

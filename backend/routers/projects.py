"""Projects, and a whole project exported or imported as one document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from backend.db import SessionDep
from backend.models import ProjectCreate, ProjectPublic, ProjectSummary, ProjectUpdate
from backend.requests import StrictJSONRoute
from backend.routers.params import CONFLICT, NOT_FOUND, ProjectId
from backend.services import projects
from compiler.document import Project

router = APIRouter(tags=["projects"], route_class=StrictJSONRoute)


@router.get("/projects")
def list_projects(session: SessionDep) -> list[ProjectSummary]:
    return projects.list_projects(session)


@router.post("/projects", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
def create_project(session: SessionDep, data: ProjectCreate) -> ProjectPublic:
    return projects.create_project(session, data)


@router.get("/projects/{project_id}", responses=NOT_FOUND)
def read_project(session: SessionDep, project_id: ProjectId) -> ProjectPublic:
    return projects.read_project(session, project_id)


@router.patch("/projects/{project_id}", responses={**NOT_FOUND, **CONFLICT})
def update_project(
    session: SessionDep, project_id: ProjectId, changes: ProjectUpdate
) -> ProjectPublic:
    """Change settings; `revision` must be the project's current one, or the answer is 409."""
    return projects.update_project(session, project_id, changes)


@router.delete(
    "/projects/{project_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
def delete_project(session: SessionDep, project_id: ProjectId) -> Response:
    """Delete the project with its workflows and their versions."""
    projects.delete_project(session, project_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/projects/{project_id}/export", responses=NOT_FOUND)
def export_project(session: SessionDep, project_id: ProjectId) -> Project:
    """The whole project as one document, the shape `wfd compile` and import read."""
    return projects.export_project(session, project_id)


@router.post("/import", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
def import_project(
    session: SessionDep,
    document: Project,
    overwrite: Annotated[bool, Query(description="replace a project with the same id")] = False,
) -> ProjectPublic:
    """Store a whole project document; an existing id gets 409 unless `overwrite=true`."""
    return projects.import_project(session, document, overwrite)

"""Versions of a workflow: immutable snapshots, restore, and the diff between any two."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from backend.db import SessionDep, run
from backend.models import (
    DiffPublic,
    RestoreRequest,
    VersionCreate,
    VersionPublic,
    VersionSummary,
    WorkflowPublic,
)
from backend.requests import StrictJSONRoute
from backend.routers.params import (
    CONFLICT,
    NOT_FOUND,
    ProjectId,
    Responses,
    VersionNumber,
    WorkflowId,
    ready_json,
)
from backend.services import versions

router = APIRouter(tags=["versions"], route_class=StrictJSONRoute)
VERSIONS = "/projects/{project_id}/workflows/{workflow_id}/versions"
VERSION = VERSIONS + "/{number}"
VERSION_OR_DRAFT = r"^(draft|[1-9][0-9]{0,8})$"


@router.get(VERSIONS, responses=NOT_FOUND)
async def list_versions(
    session: SessionDep, project_id: ProjectId, workflow_id: WorkflowId
) -> list[VersionSummary]:
    return await run(session, versions.list_versions, project_id, workflow_id)


UNCHANGED: Responses = {
    200: {
        "model": VersionPublic,
        "description": "The draft is unchanged since the newest version: that version",
    }
}


@router.post(
    VERSIONS,
    status_code=status.HTTP_201_CREATED,
    responses={**UNCHANGED, **NOT_FOUND, **CONFLICT},
)
async def create_version(
    session: SessionDep,
    project_id: ProjectId,
    workflow_id: WorkflowId,
    data: VersionCreate,
    response: Response,
) -> VersionPublic:
    """Snapshot the current draft with a message; with `revision`, only if it is still current.
    A draft unchanged since the newest version answers that version (200), stored once."""
    version, created = await run(session, versions.create_version, project_id, workflow_id, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return version


@router.get(VERSION, responses=NOT_FOUND)
async def read_version(
    session: SessionDep, project_id: ProjectId, workflow_id: WorkflowId, number: VersionNumber
) -> VersionPublic:
    return await run(session, versions.read_version, project_id, workflow_id, number)


@router.post(
    VERSION + "/restore", response_model=WorkflowPublic, responses={**NOT_FOUND, **CONFLICT}
)
async def restore_version(
    session: SessionDep,
    project_id: ProjectId,
    workflow_id: WorkflowId,
    number: VersionNumber,
    data: RestoreRequest,
) -> Response:
    """Make the version the draft again, as a new revision; `revision` names the draft replaced."""
    return ready_json(
        await run(session, versions.restore_version, project_id, workflow_id, number, data)
    )


@router.get("/projects/{project_id}/workflows/{workflow_id}/diff", responses=NOT_FOUND)
async def diff(
    session: SessionDep,
    project_id: ProjectId,
    workflow_id: WorkflowId,
    from_version: Annotated[
        str, Query(alias="from", pattern=VERSION_OR_DRAFT, description="a number, or `draft`")
    ],
    to_version: Annotated[
        str, Query(alias="to", pattern=VERSION_OR_DRAFT, description="a number, or `draft`")
    ],
) -> DiffPublic:
    """Nodes added, removed and changed (with the changed fields), edges added and removed."""
    return await run(session, versions.diff, project_id, workflow_id, from_version, to_version)

"""Workflows inside a project; saves are checked against the revision they were based on."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from backend.db import SessionDep, run
from backend.models import (
    WorkflowCreate,
    WorkflowDelta,
    WorkflowPublic,
    WorkflowRevision,
    WorkflowSummary,
    WorkflowUpdate,
)
from backend.requests import StrictJSONRoute
from backend.routers.params import CONFLICT, NOT_FOUND, ProjectId, WorkflowId, ready_json
from backend.services import deltas, workflows

router = APIRouter(tags=["workflows"], route_class=StrictJSONRoute)
WORKFLOWS = "/projects/{project_id}/workflows"
WORKFLOW = WORKFLOWS + "/{workflow_id}"


@router.get(WORKFLOWS, responses=NOT_FOUND)
async def list_workflows(session: SessionDep, project_id: ProjectId) -> list[WorkflowSummary]:
    return await run(session, workflows.list_workflows, project_id)


@router.post(
    WORKFLOWS,
    status_code=status.HTTP_201_CREATED,
    response_model=WorkflowPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
async def create_workflow(
    session: SessionDep, project_id: ProjectId, data: WorkflowCreate
) -> Response:
    created = await run(session, workflows.create_workflow, project_id, data)
    return ready_json(created, status.HTTP_201_CREATED)


@router.get(WORKFLOW, response_model=WorkflowPublic, responses=NOT_FOUND)
async def read_workflow(
    session: SessionDep, project_id: ProjectId, workflow_id: WorkflowId
) -> Response:
    return ready_json(await run(session, workflows.read_workflow, project_id, workflow_id))


@router.get(WORKFLOW + "/revision", responses=NOT_FOUND)
async def read_workflow_revision(
    session: SessionDep, project_id: ProjectId, workflow_id: WorkflowId
) -> WorkflowRevision:
    """The draft's revision and when it was written: cheap enough for an open editor to poll."""
    return await run(session, workflows.draft_revision, project_id, workflow_id)


@router.put(WORKFLOW, response_model=WorkflowPublic, responses={**NOT_FOUND, **CONFLICT})
async def save_workflow(
    session: SessionDep, project_id: ProjectId, workflow_id: WorkflowId, data: WorkflowUpdate
) -> Response:
    """Replace the draft; `revision` names the one it was based on, else 409."""
    return ready_json(await run(session, workflows.save_workflow, project_id, workflow_id, data))


@router.patch(WORKFLOW, response_model=WorkflowPublic, responses={**NOT_FOUND, **CONFLICT})
async def change_workflow(
    session: SessionDep, project_id: ProjectId, workflow_id: WorkflowId, data: WorkflowDelta
) -> Response:
    """Change the draft by a JSON Patch (RFC 6902) computed against `revision` (409 when the
    draft is at another); only what the operations touch is validated (422 names the
    operation, node or field)."""
    return ready_json(await run(session, deltas.apply_delta, project_id, workflow_id, data))


@router.delete(WORKFLOW, status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_workflow(
    session: SessionDep, project_id: ProjectId, workflow_id: WorkflowId
) -> Response:
    """Delete the workflow and its versions."""
    await run(session, workflows.delete_workflow, project_id, workflow_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""Deployments of a project, their managed workers' logs, and the runtime they run on."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Path, Query, Response, status

from backend.db import SessionDep, run
from backend.models import (
    DeploymentCreate,
    DeploymentLogPublic,
    DeploymentPublic,
    ErrorPublic,
    RuntimePublic,
)
from backend.requests import StrictJSONRoute
from backend.routers.params import NOT_FOUND, ProjectId, Responses
from backend.runtime.access import RuntimeDep
from backend.services import deployments
from language.document import SLUG_PATTERN

router = APIRouter(tags=["deployments"], route_class=StrictJSONRoute)

DeploymentId = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=deployments.MAX_ID_LENGTH)]
WITHOUT_RUNTIME: Responses = {
    409: {"model": ErrorPublic, "description": "Temporal is off, or no runtime runs workers"}
}


@router.post(
    "/projects/{project_id}/deployments",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": DeploymentPublic, "description": "The same content was deployed before"},
        **NOT_FOUND,
        **WITHOUT_RUNTIME,
    },
)
async def deploy(
    session: SessionDep,
    runtime: RuntimeDep,
    project_id: ProjectId,
    response: Response,
    data: DeploymentCreate | None = None,
) -> DeploymentPublic:
    """Compile the project (its drafts, or the saved versions named in `versions`) into a new
    deployment and start its worker; the same content deployed again answers the existing one
    (started again if it was stopped). A project with errors gets 422 and its diagnostics."""
    runtime.require_deployments()
    versions = data.versions if data is not None else {}
    document = await run(session, deployments.source_document, project_id, versions)
    built = await anyio.to_thread.run_sync(deployments.build, runtime.layout, document, versions)
    found, created = await run(session, deployments.record, built)
    runtime.wake()
    if not created:
        response.status_code = status.HTTP_200_OK
    return deployments.public(found, runtime.target, runtime.namespace)


@router.get("/projects/{project_id}/deployments", responses=NOT_FOUND)
async def list_deployments(
    session: SessionDep, runtime: RuntimeDep, project_id: ProjectId
) -> list[DeploymentPublic]:
    """The project's deployments, newest first."""
    found = await run(session, deployments.list_deployments, project_id)
    return [deployments.public(item, runtime.target, runtime.namespace) for item in found]


@router.get("/deployments/{deployment_id}", responses=NOT_FOUND)
async def read_deployment(
    session: SessionDep, runtime: RuntimeDep, deployment_id: DeploymentId
) -> DeploymentPublic:
    """The worker's state: starting, running (polling its task queue), restarting, stopped."""
    found = await run(session, deployments.deployment_or_404, deployment_id)
    return deployments.public(found, runtime.target, runtime.namespace)


@router.post("/deployments/{deployment_id}/stop", responses=NOT_FOUND)
async def stop_deployment(
    session: SessionDep, runtime: RuntimeDep, deployment_id: DeploymentId
) -> DeploymentPublic:
    """Stop the worker (`desired` becomes `stopped` now, `status` once it has stopped)."""
    found = await run(session, deployments.set_desired, deployment_id, "stopped")
    runtime.wake()
    return deployments.public(found, runtime.target, runtime.namespace)


@router.post("/deployments/{deployment_id}/start", responses={**NOT_FOUND, **WITHOUT_RUNTIME})
async def start_deployment(
    session: SessionDep, runtime: RuntimeDep, deployment_id: DeploymentId
) -> DeploymentPublic:
    """Start a stopped deployment's worker again."""
    runtime.require_deployments()
    found = await run(session, deployments.set_desired, deployment_id, "running")
    runtime.wake()
    return deployments.public(found, runtime.target, runtime.namespace)


@router.get("/deployments/{deployment_id}/log", responses=NOT_FOUND)
async def deployment_log(
    session: SessionDep,
    runtime: RuntimeDep,
    deployment_id: DeploymentId,
    tail: Annotated[int, Query(ge=1, le=10_000, description="how many lines, from the end")] = 200,
) -> DeploymentLogPublic:
    """The end of the worker's output, with the supervisor's lines (starts, exits, restarts)."""
    await run(session, deployments.deployment_or_404, deployment_id)
    return await anyio.to_thread.run_sync(deployments.log_tail, runtime.layout, deployment_id, tail)


@router.get("/runtime")
async def runtime_state(runtime: RuntimeDep) -> RuntimePublic:
    """Which Temporal this server uses, whether it answers, and whether it can deploy."""
    target = runtime.target
    return RuntimePublic(
        temporal=runtime.mode,
        deployments=runtime.can_deploy,
        address=target.address if target else None,
        namespace=runtime.namespace,
        web_ui_url=target.web_ui_url() if target else None,
        up=await runtime.is_up() if target else False,
    )

"""Deployments of a project, their managed workers' logs, and the runtime they run on."""

from __future__ import annotations

import logging
from typing import Annotated

import anyio
from fastapi import APIRouter, Path, Query, Response, status
from sqlmodel import Session

from backend.db import SessionDep, run
from backend.errors import Invalid, NotFound, Refused
from backend.models import (
    DeploymentCheckPublic,
    DeploymentCreate,
    DeploymentLogPublic,
    DeploymentPublic,
    ErrorPublic,
    ReplayRefusedPublic,
    RuntimePublic,
    StopRefusedPublic,
)
from backend.requests import StrictJSONRoute
from backend.routers.params import NOT_FOUND, ProjectId, Responses
from backend.runtime.access import RuntimeAccess, RuntimeDep
from backend.runtime.temporal import deployment_versions, worker_versioning_refused
from backend.runtime.versions import side_by_side
from backend.services import deployments, takeover
from backend.services.runs import temporal_errors
from language.diagnostics import Codes, Diagnostic
from language.document import SLUG_PATTERN, Project

logger = logging.getLogger("wfd.deployments")
router = APIRouter(tags=["deployments"], route_class=StrictJSONRoute)

DeploymentId = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=deployments.MAX_ID_LENGTH)]
DEPLOY_REFUSED: Responses = {
    409: {
        "model": ReplayRefusedPublic | ErrorPublic,
        "description": "The takeover would break executions (with the check's findings), "
        "another deployment serves them now, Temporal is off, or no runtime runs workers",
    }
}
WITHOUT_RUNTIME: Responses = {
    409: {"model": ErrorPublic, "description": "Temporal is off, or no runtime runs workers"}
}


@router.post(
    "/projects/{project_id}/deployments",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": DeploymentPublic, "description": "The same content was deployed before"},
        **NOT_FOUND,
        **DEPLOY_REFUSED,
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
    (started again if it was stopped). A project with errors gets 422 and its diagnostics.

    With `replaces`, the new deployment takes over that deployment's task queue and running
    executions, once their histories replay on the new code (with `patch`, compiled to keep
    the old steps for them); a takeover that would break one is refused with 409 and the
    check's findings."""
    runtime.require_deployments()
    data = data if data is not None else DeploymentCreate()
    document = await run(session, deployments.source_document, project_id, data.versions)
    versioned = await _versioning(session, runtime, project_id, data)
    if versioned is not None:
        built = await anyio.to_thread.run_sync(
            deployments.build, runtime.layout, document, data.versions, None, versioned
        )
    elif data.replaces is None or data.versioning:
        built = await anyio.to_thread.run_sync(
            deployments.build, runtime.layout, document, data.versions
        )
    else:
        checked = await _check(session, runtime, project_id, data, document)
        if not checked.report.ok:
            raise Refused(
                takeover.refusal(checked.report, data.patch),
                {"check": checked.report.model_dump(mode="json")},
            )
        built = await anyio.to_thread.run_sync(
            deployments.build,
            runtime.layout,
            document,
            data.versions,
            checked.compiled,
            checked.takeover,
        )
    found, created = await run(session, deployments.record, built)
    runtime.wake()
    if not created:
        response.status_code = status.HTTP_200_OK
    return deployments.public(found, runtime.target, runtime.namespace)


@router.post(
    "/projects/{project_id}/deployments/check",
    responses={**NOT_FOUND, **WITHOUT_RUNTIME},
)
async def check_deployment(
    session: SessionDep, runtime: RuntimeDep, project_id: ProjectId, data: DeploymentCreate
) -> DeploymentCheckPublic:
    """What deploying with `replaces` would do to the executions running there, without
    deploying: each that would break, by workflow and node, and the patches the new code would
    carry (with `patch`)."""
    runtime.require_deployments()
    if data.replaces is None:
        raise Invalid(
            "name the deployment whose executions the new one would take over",
            [Diagnostic(Codes.SCHEMA, "a check needs `replaces`", field="replaces")],
        )
    document = await run(session, deployments.source_document, project_id, data.versions)
    return (await _check(session, runtime, project_id, data, document)).report


async def _versioning(
    session: Session, runtime: RuntimeAccess, project_id: str, data: DeploymentCreate
) -> deployments.Takeover | None:
    """With `replaces` and `versioning`: the new version joins the replaced one's Worker
    Deployment; None when the server refuses worker versioning (deployed beside it instead,
    logged) or the deploy is not one."""
    if data.replaces is None or not data.versioning:
        return None
    if data.patch:
        raise Invalid(
            "a new version beside the old one needs no patch",
            [
                Diagnostic(
                    Codes.SCHEMA, "`patch` and `versioning` exclude each other", field="patch"
                )
            ],
        )
    replaced = await runtime.deployment(session, data.replaces)
    if replaced.project_id != project_id:
        raise NotFound(f"project {project_id!r} has no deployment {data.replaces!r}")
    other = await run(session, deployments.replaced_by, replaced.id)
    if other is not None:
        raise Refused(
            f"the executions of {replaced.id} are served by {other.id} now; deploy over that one",
            {},
        )
    with temporal_errors():
        client = await runtime.client()
        refused = await worker_versioning_refused(client, runtime.namespace)
        if refused is None and replaced.build_id is not None:
            served = await deployment_versions(client, runtime.namespace, replaced.task_queue)
            if replaced.build_id not in served:
                # started while the server refused: its executions are not pinned to a version
                refused = f"its worker serves no version of Worker Deployment {replaced.task_queue}"
    if refused is not None or replaced.build_id is None:
        logger.warning(
            "deploying beside %s on a task queue of its own (pinned by task queue): %s",
            replaced.id,
            refused or "its worker serves no Worker Deployment version",
        )
        return None
    return deployments.Takeover(replaced, (), versioning=True)


async def _check(
    session: Session,
    runtime: RuntimeAccess,
    project_id: str,
    data: DeploymentCreate,
    document: Project,
) -> takeover.Checked:
    assert data.replaces is not None
    replaced = await runtime.deployment(session, data.replaces)
    if replaced.project_id != project_id:
        raise NotFound(f"project {project_id!r} has no deployment {data.replaces!r}")
    other = await run(session, deployments.serving, replaced.task_queue, replaced.id)
    if other is not None:
        raise Refused(
            f"the executions of {replaced.id} are served by {other.id} now; deploy over that one",
            {},
        )
    with temporal_errors():
        client = await runtime.client()
    return await takeover.check(client, runtime.layout, replaced, document, data.patch)


@router.get("/projects/{project_id}/deployments", responses=NOT_FOUND)
async def list_deployments(
    session: SessionDep, runtime: RuntimeDep, project_id: ProjectId
) -> list[DeploymentPublic]:
    """The project's deployments, newest first, with how many executions run on each."""
    found = await run(session, deployments.list_deployments, project_id)
    counts = await takeover.deployment_counts(runtime, found)
    return [
        deployments.public(item, runtime.target, runtime.namespace, counts.get(item.id))
        for item in found
    ]


@router.get("/deployments/{deployment_id}", responses=NOT_FOUND)
async def read_deployment(
    session: SessionDep, runtime: RuntimeDep, deployment_id: DeploymentId
) -> DeploymentPublic:
    """The worker's state: starting, running (polling its task queue), restarting, stopped."""
    found = await run(session, deployments.deployment_or_404, deployment_id)
    siblings = await run(session, deployments.on_task_queue, found.task_queue)
    counts = await takeover.deployment_counts(runtime, siblings)
    return deployments.public(found, runtime.target, runtime.namespace, counts.get(found.id))


@router.post(
    "/deployments/{deployment_id}/stop",
    responses={
        **NOT_FOUND,
        409: {"model": StopRefusedPublic, "description": "Executions still run on it"},
    },
)
async def stop_deployment(
    session: SessionDep,
    runtime: RuntimeDep,
    deployment_id: DeploymentId,
    force: Annotated[
        bool, Query(description="stop it though executions run on it (they wait for it)")
    ] = False,
) -> DeploymentPublic:
    """Stop the worker (`desired` becomes `stopped` now, `status` once it has stopped). While
    executions run on it and no other deployment serves them, it is refused (409) unless
    `force`: they would wait, stuck, until it runs again."""
    found = await run(session, deployments.deployment_or_404, deployment_id)
    if not force and found.desired == "running":
        other = await run(session, deployments.serving, found.task_queue, found.id)
        running: int | None = None
        if other is None:
            counts = await takeover.running_counts(runtime, {found.task_queue})
            running = counts.get(found.task_queue)
        elif side_by_side(found, other) and found.build_id is not None:
            # a newer version serves the queue, but not the executions pinned to this one
            running = await takeover.pinned_count(runtime, found.task_queue, found.build_id)
        if running:
            raise Refused(
                f"{running} execution{'s run' if running > 1 else ' runs'} on {deployment_id}; "
                "stopped, it would leave them waiting until it runs again. Cancel them, let "
                "them finish, deploy over it, or stop it anyway (force)",
                {"running_executions": running},
            )
    found = await run(session, deployments.set_desired, deployment_id, "stopped")
    runtime.wake()
    return deployments.public(found, runtime.target, runtime.namespace)


@router.post("/deployments/{deployment_id}/start", responses={**NOT_FOUND, **WITHOUT_RUNTIME})
async def start_deployment(
    session: SessionDep, runtime: RuntimeDep, deployment_id: DeploymentId
) -> DeploymentPublic:
    """Start a stopped deployment's worker again; refused (409) while another deployment
    serves its executions."""
    runtime.require_deployments()
    existing = await run(session, deployments.deployment_or_404, deployment_id)
    other = await run(session, deployments.serving, existing.task_queue, deployment_id)
    if other is not None:
        raise Refused(f"{other.id} serves the executions of {deployment_id} now; stop it first", {})
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

"""Runs of deployed workflows: start, list, describe with per-node states, talk to, follow live."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import ConfigDict, Field, StrictBool, StringConstraints, model_validator
from starlette.convertors import Convertor, register_url_convertor

from backend.db import SessionDep, run
from backend.errors import NotFound, Refused
from backend.models import (
    ErrorPublic,
    OtherVersionPublic,
    RunAnswerPublic,
    RunEventPublic,
    RunListItemPublic,
    RunPublic,
    RunStatus,
    Schema,
    StrictSchema,
)
from backend.requests import StrictJSONRoute
from backend.routers.deployments import WITHOUT_RUNTIME, DeploymentId
from backend.routers.params import NOT_FOUND, Responses, schema_ref
from backend.runtime.access import RuntimeAccess, RuntimeDep
from backend.services import deployments, runs
from backend.services.deployments import DeploymentHandle
from language.document import SLUG_MAX_LENGTH, SLUG_PATTERN

router = APIRouter(tags=["runs"], route_class=StrictJSONRoute)

RUN_ROUTE_WORDS = ("events", "signal", "update", "query", "cancel", "terminate", "rerun", "nodes")
"""The words the run routes put after a workflow id."""


class WorkflowIdConvertor(Convertor[str]):
    """A workflow id in a route, "/" and all: ids hold them (the package-management sample
    builds `package-build-@scope/name`), a client sends them as %2F and the server reads
    them as "/". The id runs up to the route's own words, so `/runs/a/b/events` follows
    `a/b`; a segment of an id cannot be one of those words."""

    regex = r"[^/]+(?:/(?!(?:" + "|".join(RUN_ROUTE_WORDS) + r")(?:/|$))[^/]*)*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("workflow_id", WorkflowIdConvertor())

TemporalId = Annotated[str, Path(min_length=1, max_length=400, pattern=r"^[^\x00-\x1f\x7f]+$")]
RUN_ID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
"""Temporal's run ids are UUIDs; it refuses anything else (`Invalid RunId.`)."""
RunId = Annotated[
    str | None,
    Query(pattern=RUN_ID_PATTERN, description="a run id (a UUID); the latest run when none"),
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
CLOSED: Responses = {409: {"model": ErrorPublic, "description": "The run has ended already"}}
RUN: Responses = {**NOT_FOUND, **WITHOUT_RUNTIME, **CLOSED}


class StandInFailure(StrictSchema):
    message: Annotated[str, Field(min_length=1, max_length=2000)]
    """The failure's message, shown as the node's error."""
    type: Annotated[
        str | None, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")
    ] = None
    """The error type a retry policy's `non_retryable_error_types` can name (default
    `StandInFailure`)."""
    non_retryable: StrictBool = False
    """True: the call fails at once; false: Temporal retries it per the node's retry policy."""


class StandIn(StrictSchema):
    """What one node's activity calls answer in this run instead of running: `result` (JSON,
    checked against the activity's output type) or `error`."""

    # the schema says what `_one_of` checks: `result` with no (or a null) `error`, or an
    # `error` object without `result`
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["result"], "properties": {"error": {"type": "null"}}},
                {
                    "required": ["error"],
                    "not": {"required": ["result"]},
                    "properties": {"error": {"type": "object"}},
                },
            ]
        }
    )

    result: Any = None
    error: StandInFailure | None = None

    @model_validator(mode="after")
    def _one_of(self) -> StandIn:
        if ("result" in self.model_fields_set) == (self.error is not None):
            raise ValueError("a stand-in gives either `result` or `error`")
        return self

    def outcome(self) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error.model_dump()}
        return {"result": self.result}


NodeKey = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RunStart(StrictSchema):
    workflow: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)]
    """The workflow's id in the project."""
    input: dict[str, Any] | None = None
    """The workflow's input, checked against its input type before anything starts."""
    workflow_id: Annotated[
        str | None, Field(min_length=1, max_length=400, pattern=r"^[^\x00-\x1f\x7f]+$")
    ] = None
    """The run's workflow id; by default the workflow's id template, or `<workflow>-<uuid>`."""
    stand_ins: Annotated[dict[NodeKey, StandIn], Field(max_length=50)] = Field(default_factory=dict)
    """Node id -> a stand-in for its activity calls in this run (every call the node makes,
    in loops and fan-outs too); checked first like the input."""


class RunStarted(Schema):
    workflow_id: str
    run_id: str | None
    deployment_id: str
    """The deployment whose code runs it: the one it was started from, which new executions on
    its task queue start on (a start from another version of that queue is refused, 409)."""
    web_url: str | None = None
    stand_ins: list[str] = Field(default_factory=list)
    """The nodes whose activity calls answer with a stand-in in this run."""


class HandlerCall(StrictSchema):
    name: Name
    payload: dict[str, Any] | None = None


class QueryCall(StrictSchema):
    name: Name
    args: list[Any] = Field(default_factory=list, max_length=20)


class Termination(StrictSchema):
    reason: Annotated[str, Field(max_length=1000)] = ""


class RunDone(Schema):
    workflow_id: str
    run_id: str


async def _deployed(
    runtime: RuntimeAccess, session: SessionDep, deployment_id: str
) -> runs.Deployed:
    handle = await runtime.deployment(session, deployment_id)
    runs.check_temporal(handle.target)
    return await runs.deployed(handle)


async def _refuse_other_version(session: SessionDep, deployment_id: str) -> None:
    """409 when new executions on the deployment's task queue start on another version than
    its own (it is an older one draining, or a newer one not current yet): the run would not
    run the code the user started it from."""
    found = await run(session, deployments.deployment_or_404, deployment_id)
    current = await run(session, deployments.current_version, found)
    if current is not None:
        raise Refused(
            f"new runs on task queue {found.task_queue!r} start on its current version, "
            f"{current.id}, not on {deployment_id}, whose worker only serves the executions "
            f"pinned to it; start the run from {current.id}",
            {"current_version": current.id},
        )


async def _run(
    runtime: RuntimeAccess, session: SessionDep, workflow_id: str, run_id: str | None
) -> runs.Run:
    runs.check_temporal(runtime.target)
    client = await runtime.client()
    description = await runs.describe(client, workflow_id, run_id)

    async def handle_of(task_queue: str, build_id: str | None) -> DeploymentHandle:
        if not runs.SLUG.match(task_queue):
            raise NotFound(task_queue)
        deployment_id = await run(session, deployments.version_on, task_queue, build_id)
        return await runtime.deployment(session, deployment_id)

    return await runs.find_run(client, description, handle_of)


@router.post(
    "/deployments/{deployment_id}/runs",
    status_code=status.HTTP_201_CREATED,
    responses={
        **NOT_FOUND,
        409: {
            "model": OtherVersionPublic | ErrorPublic,
            "description": "New runs on its task queue start on another version of it "
            "(`current_version`), a run with that workflow id runs already, Temporal is off, "
            "or no runtime runs workers",
        },
    },
)
async def start_run(
    session: SessionDep, runtime: RuntimeDep, deployment_id: DeploymentId, data: RunStart
) -> RunStarted:
    """Start a workflow of the deployment on its task queue. The input and the stand-ins are
    checked first: a missing, unknown or mistyped field, or a stand-in for a node that calls no
    activity or whose result does not fit, gets 422 naming it, and no run is started; a
    workflow the deployment does not have gets 404."""
    found = await _deployed(runtime, session, deployment_id)
    await _refuse_other_version(session, deployment_id)
    client = await runtime.client()
    stand_ins = {node_id: stand_in.outcome() for node_id, stand_in in data.stand_ins.items()}
    started = await runs.start_run(
        client, found, data.workflow, data.input, data.workflow_id, stand_ins
    )
    return RunStarted.model_validate(started)


@router.get("/deployments/{deployment_id}/runs", responses={**NOT_FOUND, **WITHOUT_RUNTIME})
async def list_runs(
    session: SessionDep,
    runtime: RuntimeDep,
    deployment_id: DeploymentId,
    workflow: Annotated[str | None, Query(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)] = None,
    status_name: Annotated[RunStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[RunListItemPublic]:
    """The deployment's runs, newest first, from Temporal's visibility (a run started just now
    may take a moment to show): those on its task queue, or, where versions of a Worker
    Deployment share the queue, those pinned to its version; `workflow` naming one the
    deployment does not have gets 404."""
    found = await _deployed(runtime, session, deployment_id)
    record = await run(session, deployments.deployment_or_404, deployment_id)
    build_id = await run(session, deployments.version_beside_others, record)
    client = await runtime.client()
    return await runs.list_runs(client, found, workflow, status_name, limit, build_id)


@router.get("/runs/{workflow_id:workflow_id}", responses=RUN)
async def read_run(
    session: SessionDep, runtime: RuntimeDep, workflow_id: TemporalId, run_id: RunId = None
) -> RunPublic:
    """The run (the latest of the workflow id unless `run_id` names one) with each node's state
    over its continue-as-new chain, its result or root failure and its first failed node."""
    return await runs.run_state(await _run(runtime, session, workflow_id, run_id))


@router.post(
    "/runs/{workflow_id:workflow_id}/signal", status_code=status.HTTP_202_ACCEPTED, responses=RUN
)
async def signal_run(
    session: SessionDep,
    runtime: RuntimeDep,
    workflow_id: TemporalId,
    data: HandlerCall,
    run_id: RunId = None,
) -> RunDone:
    """Send a signal; its payload is checked against the handler's params first."""
    found = await _run(runtime, session, workflow_id, run_id)
    await runs.signal(found, data.name, data.payload)
    return RunDone(workflow_id=found.workflow_id, run_id=found.run_id)


@router.post("/runs/{workflow_id:workflow_id}/update", responses=RUN)
async def update_run(
    session: SessionDep,
    runtime: RuntimeDep,
    workflow_id: TemporalId,
    data: HandlerCall,
    run_id: RunId = None,
) -> RunAnswerPublic:
    """Send an update and answer its result; one its validator rejects gets 422 and the
    validator's message."""
    found = await _run(runtime, session, workflow_id, run_id)
    result = await runs.update(found, data.name, data.payload)
    return RunAnswerPublic(workflow_id=found.workflow_id, run_id=found.run_id, result=result)


@router.post("/runs/{workflow_id:workflow_id}/query", responses=RUN)
async def query_run(
    session: SessionDep,
    runtime: RuntimeDep,
    workflow_id: TemporalId,
    data: QueryCall,
    run_id: RunId = None,
) -> RunAnswerPublic:
    """Ask a query (the workflow's own, or `pending_gates` when it has approval gates)."""
    found = await _run(runtime, session, workflow_id, run_id)
    result = await runs.query(found, data.name, data.args)
    return RunAnswerPublic(workflow_id=found.workflow_id, run_id=found.run_id, result=result)


@router.post(
    "/runs/{workflow_id:workflow_id}/cancel", status_code=status.HTTP_202_ACCEPTED, responses=RUN
)
async def cancel_run(
    session: SessionDep, runtime: RuntimeDep, workflow_id: TemporalId, run_id: RunId = None
) -> RunDone:
    """Ask the run to cancel: it ends CANCELED once its code has handled the cancellation."""
    found = await _run(runtime, session, workflow_id, run_id)
    await runs.cancel(found)
    return RunDone(workflow_id=found.workflow_id, run_id=found.run_id)


@router.post("/runs/{workflow_id:workflow_id}/terminate", responses=RUN)
async def terminate_run(
    session: SessionDep,
    runtime: RuntimeDep,
    workflow_id: TemporalId,
    data: Termination | None = None,
    run_id: RunId = None,
) -> RunDone:
    """End the run at once, without running any of its code."""
    found = await _run(runtime, session, workflow_id, run_id)
    await runs.terminate(found, data.reason if data is not None else "")
    return RunDone(workflow_id=found.workflow_id, run_id=found.run_id)


@router.post(
    "/runs/{workflow_id:workflow_id}/rerun", status_code=status.HTTP_201_CREATED, responses=RUN
)
async def rerun(
    session: SessionDep, runtime: RuntimeDep, workflow_id: TemporalId, run_id: RunId = None
) -> RunStarted:
    """Start the same workflow of the same deployment again with the run's input and
    stand-ins; refused (409, `current_version`) when new runs on its task queue start on
    another version of it."""
    found = await _run(runtime, session, workflow_id, run_id)
    await _refuse_other_version(session, found.deployed.handle.id)
    return RunStarted.model_validate(await runs.rerun(found))


@router.get(
    "/runs/{workflow_id:workflow_id}/events",
    responses={
        **RUN,
        200: {
            "content": {"text/event-stream": {"schema": schema_ref(RunEventPublic)}},
            "description": "server-sent events, each an `event` name and its `data` (JSON)",
        },
    },
    response_class=StreamingResponse,
)
async def run_events(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    workflow_id: TemporalId,
    run_id: RunId = None,
) -> Response:
    """Server-sent events: `snapshot` (every node's state), then `nodes` (the changed nodes)
    after each batch of history events, then `end` with the outcome. Each carries the
    `event_time` of the last history event it reflects."""
    found = await _run(runtime, session, workflow_id, run_id)
    return StreamingResponse(
        runs.follow(found, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

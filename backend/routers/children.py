"""A live view of a spawn_children or work_queue node's children in a run."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path

from backend.db import SessionDep
from backend.models import ErrorPublic, Schema
from backend.requests import StrictJSONRoute
from backend.routers.runs import RUN, RunId, TemporalId, _run
from backend.runtime.access import RuntimeDep
from backend.services import children

router = APIRouter(tags=["runs"], route_class=StrictJSONRoute)

NodeId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
ChildStatus = Literal[
    "waiting", "running", "completed", "failed", "cancelled", "timed_out", "terminated", "skipped"
]
WaitingFor = Literal["dependencies", "limit", "paused", "draining", "retry", "start"]


class ChildItem(Schema):
    key: str
    """The item's key (the node's `key` expression); its workflow id when it cannot be known."""
    workflow_id: str | None
    """The child's workflow id (from history, or from the node's id template for an item that
    has not started)."""
    run_id: str | None
    status: ChildStatus
    waiting_for: WaitingFor | None
    """Why a waiting item has not started: `dependencies` (see `blocked_by`), the concurrency
    `limit`, the queue is `paused` or `draining`, a `retry` backoff, or its `start` is next."""
    depends_on: list[str]
    """Keys of the items it waits for (spawn_children with `depends_on`)."""
    blocked_by: list[str]
    """Of those, the ones not completed yet (waiting items only)."""
    attempts: int
    """Times its child was started."""
    started_at: datetime | None
    ended_at: datetime | None
    error: str | None
    """The root failure's message."""
    retry_at: datetime | None
    """When a work queue starts it again (waiting for a retry)."""


class ChildEdge(Schema):
    source: str
    """The key of the item that must complete first."""
    target: str


class QueueStats(Schema):
    started: int | None = None
    completed: int | None = None
    failed: int | None = None
    retried: int | None = None
    duplicates: int | None = None
    continued_as_new: int | None = None


class QueueFacts(Schema):
    paused: bool | None
    draining: bool | None
    stopping: bool | None
    queued: int
    """Items in the queue (see `live_queue`)."""
    live_queue: bool
    """True when a query answered the queue now; false: the queue as the current run began."""
    live_retries: bool
    stats: QueueStats | None


class ChildrenView(Schema):
    workflow_id: str
    run_id: str
    run_status: str | None
    closed: bool
    """The run has closed: the view will not change any more."""
    node_id: str
    kind: Literal["spawn_children", "work_queue"]
    label: str
    child_workflow: str
    """The workflow each child runs (its id in the project)."""
    node_status: str
    limit: int | None
    """The concurrency limit in use (None when it is read from state nobody can see)."""
    limit_from: str | None
    """The expression the limit is read from, when it is not fixed."""
    running: int
    """Children running now."""
    counts: dict[str, int]
    """Items per status, over all items."""
    total: int
    truncated: bool
    """More items than `items` lists."""
    has_dependencies: bool
    dependencies_known: bool
    """False when some items' dependencies could not be worked out from the run's data."""
    items: list[ChildItem]
    edges: list[ChildEdge]
    """Dependency edges between listed items."""
    queue: QueueFacts | None
    """A work queue's flags and statistics."""
    sources: dict[str, str]
    """Where each state value read came from (a query, a set_state step, the run's start)."""
    runs_read: int
    """Runs of the continue-as-new chain the children were read from."""
    notes: list[str]
    """What the view could not know, in words."""


@router.get(
    "/runs/{workflow_id:workflow_id}/nodes/{node_id}/children",
    responses={**RUN, 404: {"model": ErrorPublic, "description": "No such run or node"}},
)
async def node_children(
    session: SessionDep,
    runtime: RuntimeDep,
    workflow_id: TemporalId,
    node_id: NodeId,
    run_id: RunId = None,
) -> ChildrenView:
    """The children of a spawn_children or work_queue node in the run (the latest of the
    workflow id unless `run_id` names one): each item's key, child workflow id, status (and
    why a waiting one waits), dependencies, times and failure, with the concurrency limit in
    use and how many run now. Read from the parent's history, the generated code's
    `spawn_progress` query and the workflow's own queries of its state; a node of another kind
    gets 422."""
    found = await _run(runtime, session, workflow_id, run_id)
    return ChildrenView.model_validate(await children.children_view(found, node_id))

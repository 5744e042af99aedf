"""The children one `spawn_children` or `work_queue` node started, read from a run's history.

The generated code gives each child the summary `"<node id>: <label>"` (`static_summary=`, which
Temporal records on the parent's StartChildWorkflowExecutionInitiated event), so one pass over a
run's events finds each child this node started, when, whether it started, and how it closed. A
work queue that continued-as-new follows the children an earlier run started with the
`wfd.await_workflow` activity (summary `"<node id>: follow a child of an earlier run"`): its
close is the child's close. A closed run's scan never changes, so callers may keep it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from temporalio.api.common.v1 import Payloads
from temporalio.api.enums.v1 import EventType, StartChildWorkflowExecutionFailedCause
from temporalio.api.history.v1 import HistoryEvent
from temporalio.converter import PayloadConverter

from backend.runtime.node_states import root_message

AWAIT_ACTIVITY = "wfd.await_workflow"
"""The activity a work queue follows an earlier run's child with."""

ACTIVE = frozenset({"starting", "running"})
CLOSED_RUN = frozenset(
    {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    }
)
_CONVERTER = PayloadConverter.default


def decode(payloads: Payloads | None) -> Any:
    """The first value of the payloads (None when there is none or it cannot be read)."""
    if payloads is None or not payloads.payloads:
        return None
    try:
        return _CONVERTER.from_payloads(list(payloads.payloads))[0]
    except Exception:  # a payload this server cannot read is simply not known
        return None


@dataclass
class ChildStart:
    """One start of a child workflow by the node (a retried child is started again)."""

    workflow_id: str
    initiated_at: datetime
    status: str = "starting"
    """starting, running, completed, failed, cancelled, timed_out, terminated."""
    run_id: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    error: str | None = None
    input: Payloads | None = None
    followed: bool = False
    """Followed by a later run of a work queue (continue-as-new), not started by it."""
    attempts: int = 1
    """Starts of this workflow id by the node, up to this one."""

    def input_value(self) -> Any:
        return decode(self.input)


@dataclass
class RunScan:
    """What one run's history says about one node's children."""

    starts: list[ChildStart] = field(default_factory=list)
    """Each start, in history order."""
    follows: list[ChildStart] = field(default_factory=list)
    """Children of an earlier run this run followed (work queues)."""
    continued_from: str | None = None
    """The run this one continued from (continue-as-new), if any."""
    closed: bool = False
    input: Payloads | None = None
    """The run's input (its first event)."""
    events: int = 0


def _summary(event: HistoryEvent) -> str | None:
    if not event.HasField("user_metadata") or not event.user_metadata.HasField("summary"):
        return None
    try:
        found = json.loads(event.user_metadata.summary.data)
    except ValueError:
        return None
    return found if isinstance(found, str) else None


def _mine(summary: str | None, node_id: str) -> bool:
    # the summary is cut at 200 characters, possibly right after the id
    return summary is not None and (summary == node_id or summary.startswith(node_id + ": "))


def _time(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime(tzinfo=UTC)


def scan_run(events: Iterable[HistoryEvent], node_id: str) -> RunScan:
    """One pass over one run's events: the children `node_id` started or followed."""
    scan = RunScan()
    by_initiated: dict[int, ChildStart] = {}
    by_scheduled: dict[int, ChildStart] = {}
    for event in events:
        scan.events += 1
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            started = event.workflow_execution_started_event_attributes
            scan.continued_from = started.continued_execution_run_id or None
            scan.input = started.input if started.HasField("input") else None
        elif kind in CLOSED_RUN:
            scan.closed = True
        elif kind == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            if not _mine(_summary(event), node_id):
                continue
            initiated = event.start_child_workflow_execution_initiated_event_attributes
            start = ChildStart(
                initiated.workflow_id,
                _time(event),
                input=initiated.input if initiated.HasField("input") else None,
            )
            by_initiated[event.event_id] = start
            scan.starts.append(start)
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled = event.activity_task_scheduled_event_attributes
            if scheduled.activity_type.name != AWAIT_ACTIVITY:
                continue
            if not _mine(_summary(event), node_id):
                continue
            target = decode(scheduled.input)
            workflow_id = target.get("workflow_id") if isinstance(target, dict) else None
            if not isinstance(workflow_id, str):
                continue
            follow = ChildStart(workflow_id, _time(event), status="running", followed=True)
            by_scheduled[event.event_id] = follow
            scan.follows.append(follow)
        else:
            _close(event, by_initiated, by_scheduled)
    return scan


_CLOSES: dict[int, tuple[str, str]] = {
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED: (
        "completed",
        "child_workflow_execution_completed_event_attributes",
    ),
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED: (
        "failed",
        "child_workflow_execution_failed_event_attributes",
    ),
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED: (
        "cancelled",
        "child_workflow_execution_canceled_event_attributes",
    ),
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT: (
        "timed_out",
        "child_workflow_execution_timed_out_event_attributes",
    ),
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED: (
        "terminated",
        "child_workflow_execution_terminated_event_attributes",
    ),
}
"""A child's closing event -> its status and the event's attributes field."""


_FOLLOWS: dict[int, tuple[str, str]] = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: (
        "completed",
        "activity_task_completed_event_attributes",
    ),
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: ("failed", "activity_task_failed_event_attributes"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: (
        "failed",
        "activity_task_timed_out_event_attributes",
    ),
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: (
        "cancelled",
        "activity_task_canceled_event_attributes",
    ),
}
"""A follow activity's closing event -> the followed child's status and the attributes field."""


def _close(
    event: HistoryEvent,
    by_initiated: dict[int, ChildStart],
    by_scheduled: dict[int, ChildStart],
) -> None:
    kind = event.event_type
    E = EventType
    if kind == E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
        started = event.child_workflow_execution_started_event_attributes
        start = by_initiated.get(started.initiated_event_id)
        if start is not None:
            start.status = "running"
            start.run_id = started.workflow_execution.run_id or None
            start.started_at = _time(event)
        return
    if kind == E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
        failed = event.start_child_workflow_execution_failed_event_attributes
        start = by_initiated.get(failed.initiated_event_id)
        if start is not None:
            cause = StartChildWorkflowExecutionFailedCause.Name(failed.cause)
            words = cause.removeprefix("START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_")
            start.status = "failed"
            start.error = f"could not start: {words.replace('_', ' ').lower()}"
            start.ended_at = _time(event)
        return
    if kind in _CLOSES:
        status, name = _CLOSES[kind]
        attributes: Any = getattr(event, name)
        start = by_initiated.get(attributes.initiated_event_id)
        if start is not None:
            start.status = status
            start.ended_at = _time(event)
            if status == "failed":
                start.error = root_message(attributes.failure)
            elif status == "timed_out":
                start.error = "the child timed out"
        return
    if kind in _FOLLOWS:
        status, name = _FOLLOWS[kind]
        closed: Any = getattr(event, name)
        follow = by_scheduled.get(closed.scheduled_event_id)
        if follow is not None:
            follow.status = status
            follow.ended_at = _time(event)
            if status == "failed" and closed.HasField("failure"):
                follow.error = root_message(closed.failure)


def merge(scans: Iterable[RunScan]) -> dict[str, ChildStart]:
    """Workflow id -> its latest start over the runs (oldest first), with the close a later
    run's follow saw and the number of starts (copies: the scans are left as they are)."""
    found: dict[str, ChildStart] = {}
    for scan in scans:
        for kept in scan.starts:
            earlier = found.get(kept.workflow_id)
            attempts = (earlier.attempts + 1) if earlier is not None else 1
            found[kept.workflow_id] = replace(kept, attempts=attempts)
        for follow in scan.follows:
            start = found.get(follow.workflow_id)
            if start is None:  # its start is in a run no longer kept
                found[follow.workflow_id] = replace(follow)
                continue
            if start.status in ACTIVE or start.followed:
                start.status = "running" if follow.status in ACTIVE else follow.status
                start.ended_at = follow.ended_at
                start.error = follow.error
                start.followed = True
    return found

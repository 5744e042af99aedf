"""Per-node state of a run, worked out from its Temporal history (DESIGN.md §10).

An activity is tied to its node by its activity type where one call site alone in the workflow
uses that type (`compiler.activity_owners`: the generated call then carries no summary, as
hand-written code would not), and otherwise by the summary `"<node id>: <label>"` (`"<node id>:
undo <label>"` for a compensation) that the generated code gives each of the call sites sharing
the type. Timers, gate timeouts and retry backoffs carry their summary always
(`workflow.sleep(summary=)`, `timeout_summary=`), and so do child workflows (`static_summary=`,
which Temporal records on the parent's StartChildWorkflowExecutionInitiated event). Everything
else is recognised by name:
signals and updates received by their handler's `name`, external signals by signal name (and
target id), continue-as-new by the node that asks for it, and the run's own end by its close
event. Nodes without commands of their own (containers, branches, set_state, join, end) get
their state from the nodes they hold and the nodes after them.

`RunTracker` is the incremental form the live overlay uses: `apply(event)` returns the ids of the
nodes whose state changed, so only those are pushed. `node_states()` feeds a whole history (or a
continue-as-new chain, every run's events in order: the state is the union over the runs).
Payloads are decoded only when `input`/`output` is read, and only for a node's last execution.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC as _UTC
from datetime import datetime
from typing import Any, get_args

import networkx as nx
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import (
    EventType,
    SignalExternalWorkflowExecutionFailedCause,
    StartChildWorkflowExecutionFailedCause,
    WorkflowTaskFailedCause,
)
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflow.v1 import PendingActivityInfo
from temporalio.converter import PayloadConverter

from backend.models import NodeStatus
from compiler.activity_owners import activity_owners
from language.document import Workflow

STATUSES: tuple[str, ...] = get_args(NodeStatus)
ACTIVE = frozenset({"running", "retrying", "waiting"})

_ENTRY_KINDS = frozenset({"start", "signal", "update", "query", "schedule"})
_BRANCH_KINDS = frozenset({"condition", "switch", "parallel", "wait"})
_CHOICE_KINDS = frozenset({"condition", "switch", "wait"})
"""Nodes that choose a way on (a gate once decided): done once they chose, whatever runs or
fails on the way they chose."""
_CONTAINER_KINDS = frozenset({"phase", "retry", "loop", "try"})
_CHILD_KINDS = frozenset({"child_workflow", "spawn_children", "work_queue"})
_FAN_OUT_KINDS = frozenset({"spawn_children", "work_queue"})
"""Kinds whose count is the children they started, not the times they ran."""
_STEP_EVENTLESS = frozenset({"set_state", "join", "end", "condition", "switch", "parallel"})
"""Nodes that run at once after their predecessor, with no command of their own."""
_EXIT = "\0exit"
"""The node a level's graph ends in (no node id holds a NUL)."""

_CONVERTER = PayloadConverter.default


class _Lazy:
    """Payloads decoded on first read."""

    __slots__ = ("_done", "_payloads", "_value")

    def __init__(self, payloads: Payloads | Iterable[Payload] | Any, *, raw: bool = False) -> None:
        self._payloads: Any = payloads
        self._done = raw
        self._value: Any = payloads if raw else None

    def value(self) -> Any:
        if not self._done:
            source = self._payloads
            items: list[Payload] = list(
                source.payloads if isinstance(source, Payloads) else source or ()
            )
            try:
                decoded = _CONVERTER.from_payloads(items)
            except Exception:  # encrypted or unknown encodings are shown, not read
                decoded = ["<payload in an encoding this server cannot read>"] * len(items)
            self._value = None if not decoded else decoded[0] if len(decoded) == 1 else decoded
            self._done = True
            self._payloads = None
        return self._value


@dataclass(eq=False)
class NodeState:
    """What one node of the graph did in a run (or a chain of runs)."""

    node_id: str
    status: str = "not_reached"
    count: int = 0
    """Times the node ran (×N in loops; child workflows started by spawn/work-queue nodes)."""
    attempt: int | None = None
    """Current or last attempt: an activity's attempt, a retry container's round."""
    started_at: datetime | None = None
    """First start."""
    ended_at: datetime | None = None
    """Last end."""
    error: str | None = None
    """The root failure message (the activity's own message), when failed, timed out or retrying."""
    last_failure: str | None = None
    """The root message of the failure that made the last execution try again, if any."""
    children: list[str] = field(default_factory=list)
    """Workflow ids of the child workflows this node started."""
    compensation: str | None = None
    """The status of this step's undo, when a Try ran it."""
    _input: _Lazy | None = field(default=None, repr=False)
    _output: _Lazy | None = field(default=None, repr=False)

    @property
    def duration_ms(self) -> float | None:
        if self.started_at is None or self.ended_at is None or self.status in ACTIVE:
            return None
        return (self.ended_at - self.started_at).total_seconds() * 1000.0

    @property
    def input(self) -> Any:
        return None if self._input is None else self._input.value()

    @property
    def output(self) -> Any:
        return None if self._output is None else self._output.value()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (datetimes as ISO 8601 text)."""
        return {
            "node_id": self.node_id,
            "status": self.status,
            "count": self.count,
            "attempt": self.attempt,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "duration_ms": self.duration_ms,
            "input": self.input,
            "output": self.output,
            "error": self.error,
            "last_failure": self.last_failure,
            "children": list(self.children),
            "compensation": self.compensation,
        }

    def _key(self) -> tuple[Any, ...]:
        return (
            self.status,
            self.count,
            self.attempt,
            self.started_at,
            self.ended_at,
            self.error,
            self.last_failure,
            len(self.children),
            self.compensation,
            self._input,
            self._output,
        )


def root_message(failure: Failure) -> str:
    """The innermost cause's message: what the activity (or the workflow code) itself raised."""
    while failure.HasField("cause"):
        failure = failure.cause
    return failure.message or _failure_kind(failure)


def _failure_kind(failure: Failure) -> str:
    if failure.HasField("timeout_failure_info"):
        return "timed out"
    if failure.HasField("canceled_failure_info"):
        return "cancelled"
    if failure.HasField("terminated_failure_info"):
        return "terminated"
    return "failed"


# the graph


class _Graph:
    """What the mapping needs to know of the workflow document, worked out once."""

    def __init__(self, document: Workflow | Mapping[str, Any]) -> None:
        workflow = document if isinstance(document, Workflow) else Workflow.model_validate(document)
        self.nodes = {n.id: n for n in workflow.nodes}
        self.order = [n.id for n in workflow.nodes]
        self.kind = {n.id: n.type for n in workflow.nodes}
        self.label = {n.id: n.label or n.type for n in workflow.nodes}
        self.parent = {n.id: n.parent_id for n in workflow.nodes if n.parent_id in self.nodes}
        self.kids: dict[str, list[str]] = {i: [] for i in self.order}
        for child, parent in self.parent.items():
            if parent is not None:
                self.kids[parent].append(child)
        self.succ: dict[str, list[str]] = {i: [] for i in self.order}
        self.pred: dict[str, list[str]] = {i: [] for i in self.order}
        self.ports: dict[str, dict[str, str]] = {i: {} for i in self.order}
        for e in workflow.edges:
            if e.source in self.nodes and e.target in self.nodes and e.source != e.target:
                self.succ[e.source].append(e.target)
                self.pred[e.target].append(e.source)
                self.ports[e.source].setdefault(e.source_handle, e.target)
        self.waits_for_child = {i: bool(self.nodes[i].config.get("wait", True)) for i in self.order}
        self.activity_owners = activity_owners(workflow)
        """Activity type -> (node id, role) where the type alone names the node."""
        self.summaries: dict[str, tuple[str | None, bool]] = {}
        self.normal = {i: f"{i}: {self.label[i]}"[:200] for i in self.order}
        self.undo = {i: f"{i}: undo {self.label[i]}"[:200] for i in self.order}
        self.signals = self._by_config("signal", "name")
        self.updates = self._by_config("update", "name")
        self.externals: list[tuple[str, str, re.Pattern[str]]] = [
            (
                i,
                str(self.nodes[i].config.get("signal", "")),
                _template_pattern(str(self.nodes[i].config.get("workflow_id", ""))),
            )
            for i in self.order
            if self.kind[i] == "signal_external"
        ]
        self.gates: dict[str, str] = {}
        for i in self.order:
            if self.kind[i] == "wait":
                gate = str(self.nodes[i].config.get("gate") or self.nodes[i].label or i)
                self.gates.setdefault(gate, i)
        self.scope = self._scopes()
        self.regions, self.merges = self._regions()
        self.members = {
            i: list(dict.fromkeys([*self.kids[i], *self.regions.get(i, [])])) for i in self.order
        }
        self.holders: dict[str, list[str]] = {i: [] for i in self.order}
        for holder, members in self.members.items():
            for member in members:
                self.holders[member].append(holder)
        self.evidence = {i: self._evidence(i) for i in self.order}
        self.topo = self._topological()
        self.forward = self._forward_order()
        self.descendants = {i: self._descendants(i) for i in self.order}
        self.run_ends = [i for i in self.order if self.kind[i] == "end" and self.scope[i] == "run"]
        self.fails = [
            (
                i,
                str(self.nodes[i].config.get("error_type", "WorkflowFailed")),
                _template_pattern(str(self.nodes[i].config.get("message", ""))),
            )
            for i in self.order
            if self.kind[i] == "fail" and self.scope[i] == "run"
        ]
        self.continues = [i for i in self.order if self.kind[i] == "continue_as_new"]
        self.start = next((i for i in self.order if self.kind[i] == "start"), None)

    def _by_config(self, kind: str, key: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in self.order:
            if self.kind[i] == kind:
                found.setdefault(str(self.nodes[i].config.get(key, "")), i)
        return found

    def node_of_summary(self, summary: str) -> tuple[str | None, bool]:
        """(node id, is an undo) of a summary: the longest node id followed by ': '."""
        known = self.summaries.get(summary)
        if known is not None:
            return known
        best: str | None = None
        position = summary.find(": ")
        while position != -1:
            if summary[:position] in self.nodes:
                best = summary[:position]
            position = summary.find(": ", position + 1)
        if best is None and summary in self.nodes:
            best = summary  # cut at 200 characters right after the id
        undo = best is not None and summary == self.undo[best] != self.normal[best]
        self.summaries[summary] = (best, undo)
        return best, undo

    def _scopes(self) -> dict[str, str]:
        """Which scope each node belongs to: 'run', or the handler entry's id."""
        scope: dict[str, str] = {}
        for entry in self.order:
            if self.kind[entry] not in _ENTRY_KINDS or entry in self.parent:
                continue
            name = "run" if self.kind[entry] == "start" else entry
            stack = [entry]
            while stack:
                current = stack.pop()
                if current in scope:
                    continue
                scope[current] = name
                stack.extend(self.succ[current])
                stack.extend(self.kids[current])
        for i in self.order:  # bodies of containers nothing leads to
            if i not in scope:
                top = i
                while self.parent.get(top) is not None:
                    top = self.parent[top] or top
                    if top in scope:
                        break
                scope[i] = scope.get(top, "run")
        return scope

    def _regions(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """The nodes each branch holds (up to its merge point) and merge point -> branches."""
        regions: dict[str, list[str]] = {}
        merges: dict[str, list[str]] = {}
        levels: dict[str | None, list[str]] = {}
        for i in self.order:
            levels.setdefault(self.parent.get(i), []).append(i)
        for level in levels.values():
            branches = [i for i in level if self.kind[i] in _BRANCH_KINDS]
            if not branches:
                continue
            graph = self._level_graph(level)
            try:
                post = nx.immediate_dominators(graph.reverse(copy=True), _EXIT)
            except Exception:  # an unstructured graph gets no regions
                post = {}
            for branch in branches:
                merge = post.get(branch)
                regions[branch] = self._region(branch, merge, graph)
                if merge is not None and merge != _EXIT:
                    merges.setdefault(merge, []).append(branch)
        return regions, merges

    def _level_graph(self, level: list[str]) -> nx.DiGraph:
        """The nodes of one level (one container's body, or the top) and their edges; a node
        that leads nowhere in the level leads to `_EXIT`."""
        graph = nx.DiGraph()
        graph.add_node(_EXIT)
        for i in level:
            graph.add_node(i)
            targets = [
                t for t in self.succ[i] if t in graph or self.parent.get(t) == self.parent.get(i)
            ]
            for t in targets:
                graph.add_edge(i, t)
            if not targets:
                graph.add_edge(i, _EXIT)
        return graph

    def _region(self, branch: str, merge: str | None, graph: nx.DiGraph) -> list[str]:
        """The nodes after the branch, up to its merge point."""
        region: list[str] = []
        stack = list(self.succ[branch])
        while stack:
            current = stack.pop()
            if current in (merge, branch) or current in region:
                continue
            if current not in graph:
                continue
            region.append(current)
            stack.extend(self.succ[current])
        return region

    def _evidence(self, node_id: str) -> list[str]:
        """Nodes whose being reached proves this one ran."""
        found = list(self.members[node_id])
        found.extend(s for s in self.succ[node_id] if len(self.pred[s]) == 1)
        found.extend(m for m, branches in self.merges.items() if node_id in branches)
        return list(dict.fromkeys(found))

    def _descendants(self, node_id: str) -> list[str]:
        found: list[str] = []
        stack = list(self.kids[node_id])
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.kids[current])
        return found

    def _forward_order(self) -> list[str]:
        """Nodes along their edges (Kahn's order; what a cycle leaves in document order)."""
        waiting = {i: len(self.pred[i]) for i in self.order}
        ready = [i for i in self.order if waiting[i] == 0]
        order: list[str] = []
        while ready:
            current = ready.pop(0)
            order.append(current)
            for target in self.succ[current]:
                waiting[target] -= 1
                if waiting[target] == 0:
                    ready.append(target)
        seen = set(order)
        return order + [i for i in self.order if i not in seen]

    def _topological(self) -> list[str]:
        """Evidence before the nodes it proves (cycles broken in document order)."""
        order: list[str] = []
        state: dict[str, int] = {}
        for root in self.order:
            if root in state:
                continue
            stack: list[tuple[str, int]] = [(root, 0)]
            while stack:
                current, index = stack.pop()
                if index == 0:
                    if state.get(current) is not None:
                        continue
                    state[current] = 1
                evidence = self.evidence[current]
                if index < len(evidence):
                    stack.append((current, index + 1))
                    if evidence[index] not in state:
                        stack.append((evidence[index], 0))
                else:
                    state[current] = 2
                    order.append(current)
        return order


def _template_pattern(template: str) -> re.Pattern[str]:
    """A regex matching what a `{expression}` template can render to."""
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)


# one execution of a command


@dataclass(eq=False)
class _Execution:
    node_id: str
    role: str  # "step" counts as a run of the node; "undo", "backoff", "gate", "aux" do not
    closed: bool = False


# the tracker


_EventHandler = Callable[["RunTracker", HistoryEvent], "str | None"]


class RunTracker:
    """Follows a run (or a continue-as-new chain) event by event."""

    def __init__(self, document: Workflow | Mapping[str, Any]) -> None:
        self._graph = _Graph(document)
        self._own = {i: NodeState(i) for i in self._graph.order}
        self._in_flight = dict.fromkeys(self._graph.order, 0)
        self._failed_pending = dict.fromkeys(self._graph.order, False)
        self._backoffs = dict.fromkeys(self._graph.order, 0)
        self._states = {i: NodeState(i) for i in self._graph.order}
        self._keys = {i: s._key() for i, s in self._states.items()}
        self._executions: dict[int, _Execution] = {}
        self._activity_ids: dict[str, int] = {}
        self._updates: dict[str, int] = {}
        self._pending_gates: set[str] = set()
        self._gate_since: dict[str, datetime] = {}
        self._retrying: dict[str, tuple[int, str | None]] = {}
        self._first_failure: tuple[str, str] | None = None
        self.runs = 0
        """Runs seen (more than one for a continue-as-new chain)."""
        self.outcome: str | None = None
        """How the last run seen closed: completed, failed, cancelled, timed_out, terminated,
        continued_as_new; None while it runs."""
        self._fatal: str | None = None
        self._fatal_error: str | None = None
        self._result: _Lazy | None = None
        self._cancel_requested = False
        self._last_time: datetime | None = None
        self.stuck: str | None = None
        """Why the workflow's code cannot take its next step, while Temporal keeps retrying it
        (a workflow task failed and none has completed since); None otherwise."""

    # reading

    @property
    def states(self) -> dict[str, NodeState]:
        return self._states

    @property
    def first_failure(self) -> tuple[str, str] | None:
        """(node id, what happened in words) of the first step that failed for good."""
        return self._first_failure

    # feeding

    def apply(self, event: HistoryEvent) -> set[str]:
        """Takes one event; returns the ids of the nodes whose state changed."""
        if self._take(event) is None and event.event_type not in _RUN_EVENTS:
            return set()
        return self._derive()

    def extend(self, events: Iterable[HistoryEvent]) -> set[str]:
        """Takes many events, working the derived states out once at the end."""
        for event in events:
            self._take(event)
        return self._derive()

    def set_pending(
        self,
        activities: Iterable[PendingActivityInfo] = (),
        gates: Iterable[str | Mapping[str, Any]] = (),
    ) -> set[str]:
        """What describe() and the `pending_gates` query add: activities retrying (attempt and
        last failure, which history only records once the activity closes) and gates waiting."""
        self._retrying = {}
        for info in activities:
            scheduled = self._activity_ids.get(info.activity_id)
            execution = self._executions.get(scheduled) if scheduled is not None else None
            if execution is None or execution.role != "step":
                continue
            failure = root_message(info.last_failure) if info.HasField("last_failure") else None
            self._retrying[execution.node_id] = (info.attempt, failure)
        self._pending_gates = set()
        for gate in gates:
            node_id: str | None
            if isinstance(gate, Mapping):
                node_id = str(gate.get("node", "")) or self._graph.gates.get(str(gate.get("gate")))
                since = gate.get("since")
                if node_id and isinstance(since, str):
                    with contextlib.suppress(ValueError):
                        self._gate_since[node_id] = datetime.fromisoformat(since)
            else:
                node_id = self._graph.gates.get(gate) or (
                    gate if gate in self._graph.nodes else None
                )
            if node_id in self._graph.nodes:
                self._pending_gates.add(node_id)
        return self._derive()

    # events -> own state of the node each touches

    def _take(self, event: HistoryEvent) -> str | None:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            self.stuck = _task_failure(event)
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            self.stuck = None
        handler = _HANDLERS.get(event.event_type)
        if handler is None:
            return None
        self._last_time = event.event_time.ToDatetime(tzinfo=_UTC)
        return handler(self, event)

    def _summary_node(self, event: HistoryEvent) -> tuple[str | None, bool]:
        if not event.HasField("user_metadata") or not event.user_metadata.HasField("summary"):
            return None, False
        payload = event.user_metadata.summary
        try:
            summary = json.loads(payload.data)
        except ValueError:
            return None, False
        if not isinstance(summary, str):
            return None, False
        return self._graph.node_of_summary(summary)

    def _time(self, event: HistoryEvent) -> datetime:
        return event.event_time.ToDatetime(tzinfo=_UTC)

    def _begin(self, node_id: str, event: HistoryEvent, role: str, count: bool = True) -> NodeState:
        own = self._own[node_id]
        when = self._time(event)
        if own.started_at is None:
            own.started_at = when
        if count:
            own.count += 1
        self._in_flight[node_id] += 1
        self._failed_pending[node_id] = False
        own.status = "running"
        own.error = None
        self._executions[event.event_id] = _Execution(node_id, role)
        return own

    def _end(
        self, scheduled: int, event: HistoryEvent, status: str, error: str | None = None
    ) -> str | None:
        execution = self._executions.get(scheduled)
        if execution is None or execution.closed:
            return None
        execution.closed = True
        node_id = execution.node_id
        own = self._own[node_id]
        if execution.role == "undo":
            own.compensation = status
            return node_id
        self._in_flight[node_id] = max(0, self._in_flight[node_id] - 1)
        own.ended_at = self._time(event)
        if status in ("failed", "timed_out"):
            self._failed_pending[node_id] = True
            own.error = error
            if execution.role == "step":
                self._note_failure(node_id, status, error)
        if self._in_flight[node_id] == 0:
            if self._failed_pending[node_id] and status not in ("failed", "timed_out"):
                own.status = "failed"
            else:
                own.status = status
        return node_id

    def _note_failure(self, node_id: str, status: str, error: str | None) -> None:
        if self._first_failure is not None:
            return
        label = self._graph.label[node_id]
        verb = "timed out" if status == "timed_out" else "failed"
        attempt = self._own[node_id].attempt
        tries = f" after {attempt} attempts" if attempt and attempt > 1 else ""
        message = f"{label} ({node_id}) {verb}{tries}"
        self._first_failure = (node_id, f"{message}: {error}" if error else message)

    # activities

    def _activity_scheduled(self, event: HistoryEvent) -> str | None:
        attributes = event.activity_task_scheduled_event_attributes
        node_id, undo = self._summary_node(event)
        if node_id is None:
            owner = self._graph.activity_owners.get(attributes.activity_type.name)
            if owner is None:
                return None
            node_id, undo = owner[0], owner[1] == "undo"
        kind = self._graph.kind[node_id]
        if undo:
            self._executions[event.event_id] = _Execution(node_id, "undo")
            self._own[node_id].compensation = "running"
            return node_id
        role = "step" if kind in ("activity", "agent") else "aux"
        own = self._begin(node_id, event, role, count=role == "step")
        if role == "step":
            own.attempt = 1
            own._input = _Lazy(attributes.input)
            own._output = None
            own.last_failure = None
        self._activity_ids[attributes.activity_id] = event.event_id
        return node_id

    def _activity_started(self, event: HistoryEvent) -> str | None:
        attributes = event.activity_task_started_event_attributes
        execution = self._executions.get(attributes.scheduled_event_id)
        if execution is None or execution.role != "step":
            return None
        own = self._own[execution.node_id]
        own.attempt = attributes.attempt
        if attributes.HasField("last_failure"):
            own.last_failure = root_message(attributes.last_failure)
        self._retrying.pop(execution.node_id, None)
        return execution.node_id

    def _activity_completed(self, event: HistoryEvent) -> str | None:
        attributes = event.activity_task_completed_event_attributes
        execution = self._executions.get(attributes.scheduled_event_id)
        if execution is not None and execution.role == "step":
            self._own[execution.node_id]._output = _Lazy(attributes.result)
        return self._end(attributes.scheduled_event_id, event, "completed")

    def _activity_failed(self, event: HistoryEvent) -> str | None:
        attributes = event.activity_task_failed_event_attributes
        return self._end(
            attributes.scheduled_event_id, event, "failed", root_message(attributes.failure)
        )

    def _activity_timed_out(self, event: HistoryEvent) -> str | None:
        attributes = event.activity_task_timed_out_event_attributes
        failure = attributes.failure
        message = failure.message if failure.HasField("timeout_failure_info") else None
        return self._end(
            attributes.scheduled_event_id,
            event,
            "timed_out",
            message or root_message(failure),
        )

    def _activity_cancelled(self, event: HistoryEvent) -> str | None:
        attributes = event.activity_task_canceled_event_attributes
        return self._end(attributes.scheduled_event_id, event, "cancelled")

    # timers: timer nodes, gate timeouts, retry backoffs

    def _timer_started(self, event: HistoryEvent) -> str | None:
        node_id, _ = self._summary_node(event)
        if node_id is None:
            return None
        kind = self._graph.kind[node_id]
        if kind == "retry":
            own = self._begin(node_id, event, "backoff", count=False)
            self._backoffs[node_id] += 1
            # the attempt is in the summary: "<id>: backoff after attempt <n>"
            match = _ATTEMPT.search(json.loads(event.user_metadata.summary.data))
            own.attempt = int(match.group(1)) + 1 if match else (own.attempt or 1) + 1
            own.status = "retrying"
        elif kind == "wait":
            own = self._begin(node_id, event, "gate")
            own.status = "waiting"
        else:
            own = self._begin(node_id, event, "step")
            seconds = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
            own._input = _Lazy({"seconds": seconds.total_seconds()}, raw=True)
        return node_id

    def _timer_fired(self, event: HistoryEvent) -> str | None:
        started = event.timer_fired_event_attributes.started_event_id
        execution = self._executions.get(started)
        if execution is None:
            return None
        if execution.role == "gate":
            self._own[execution.node_id]._output = _Lazy("timeout", raw=True)
            return self._end(started, event, "timed_out")
        return self._end(started, event, "completed")

    def _timer_cancelled(self, event: HistoryEvent) -> str | None:
        started = event.timer_canceled_event_attributes.started_event_id
        execution = self._executions.get(started)
        if execution is None:
            return None
        if execution.role == "gate" and not self._cancel_requested:
            return self._end(started, event, "completed")  # the decision came before the timeout
        if execution.role == "backoff":
            return self._end(
                started, event, "completed" if not self._cancel_requested else "cancelled"
            )
        return self._end(started, event, "cancelled")

    # child workflows

    def _child_initiated(self, event: HistoryEvent) -> str | None:
        node_id, _ = self._summary_node(event)
        if node_id is None or self._graph.kind[node_id] not in _CHILD_KINDS:
            return None
        attributes = event.start_child_workflow_execution_initiated_event_attributes
        own = self._begin(node_id, event, "step")
        own.children.append(attributes.workflow_id)
        own._input = _Lazy(attributes.input)
        own._output = None
        return node_id

    def _child_started(self, event: HistoryEvent) -> str | None:
        initiated = event.child_workflow_execution_started_event_attributes.initiated_event_id
        execution = self._executions.get(initiated)
        if execution is None:
            return None
        node_id = execution.node_id
        if (
            self._graph.kind[node_id] == "child_workflow"
            and not self._graph.waits_for_child[node_id]
        ):
            return self._end(initiated, event, "completed")  # fire and forget: started is done
        return node_id

    def _child_start_failed(self, event: HistoryEvent) -> str | None:
        attributes = event.start_child_workflow_execution_failed_event_attributes
        cause = _enum_words(
            StartChildWorkflowExecutionFailedCause.Name(attributes.cause),
            "START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_",
        )
        message = f"child workflow {attributes.workflow_id} could not start: {cause}"
        return self._end(attributes.initiated_event_id, event, "failed", message)

    def _child_completed(self, event: HistoryEvent) -> str | None:
        attributes = event.child_workflow_execution_completed_event_attributes
        execution = self._executions.get(attributes.initiated_event_id)
        if execution is not None and self._graph.kind[execution.node_id] == "child_workflow":
            self._own[execution.node_id]._output = _Lazy(attributes.result)
        return self._end(attributes.initiated_event_id, event, "completed")

    def _child_failed(self, event: HistoryEvent) -> str | None:
        attributes = event.child_workflow_execution_failed_event_attributes
        return self._end(
            attributes.initiated_event_id, event, "failed", root_message(attributes.failure)
        )

    def _child_cancelled(self, event: HistoryEvent) -> str | None:
        attributes = event.child_workflow_execution_canceled_event_attributes
        return self._end(attributes.initiated_event_id, event, "cancelled")

    def _child_timed_out(self, event: HistoryEvent) -> str | None:
        attributes = event.child_workflow_execution_timed_out_event_attributes
        return self._end(attributes.initiated_event_id, event, "timed_out", "the child timed out")

    def _child_terminated(self, event: HistoryEvent) -> str | None:
        attributes = event.child_workflow_execution_terminated_event_attributes
        return self._end(attributes.initiated_event_id, event, "cancelled")

    # signals and updates received, external signals sent

    def _signalled(self, event: HistoryEvent) -> str | None:
        attributes = event.workflow_execution_signaled_event_attributes
        node_id = self._graph.signals.get(attributes.signal_name)
        if node_id is None:
            return None
        own = self._begin(node_id, event, "step")
        own._input = _Lazy(attributes.input)
        return self._end(event.event_id, event, "completed")

    def _update_accepted(self, event: HistoryEvent) -> str | None:
        attributes = event.workflow_execution_update_accepted_event_attributes
        node_id = self._graph.updates.get(attributes.accepted_request.input.name)
        if node_id is None:
            return None
        own = self._begin(node_id, event, "step")
        own._input = _Lazy(attributes.accepted_request.input.args)
        own._output = None
        self._updates[attributes.protocol_instance_id] = event.event_id
        return node_id

    def _update_completed(self, event: HistoryEvent) -> str | None:
        attributes = event.workflow_execution_update_completed_event_attributes
        accepted = attributes.accepted_event_id or self._updates.get(attributes.meta.update_id, 0)
        execution = self._executions.get(accepted)
        if execution is None:
            return None
        outcome = attributes.outcome
        if outcome.HasField("failure"):
            return self._end(accepted, event, "failed", root_message(outcome.failure))
        self._own[execution.node_id]._output = _Lazy(outcome.success)
        return self._end(accepted, event, "completed")

    def _external_initiated(self, event: HistoryEvent) -> str | None:
        attributes = event.signal_external_workflow_execution_initiated_event_attributes
        target = attributes.workflow_execution.workflow_id
        candidates = [
            node_id
            for node_id, signal, pattern in self._graph.externals
            if signal == attributes.signal_name and pattern.fullmatch(target)
        ] or [n for n, signal, _ in self._graph.externals if signal == attributes.signal_name]
        if not candidates:
            return None
        # two nodes sending the same signal to the same target: the one that ran least so far
        node_id = min(candidates, key=lambda n: self._own[n].count)
        own = self._begin(node_id, event, "step")
        own._input = _Lazy(attributes.input)
        return node_id

    def _external_signalled(self, event: HistoryEvent) -> str | None:
        initiated = event.external_workflow_execution_signaled_event_attributes.initiated_event_id
        return self._end(initiated, event, "completed")

    def _external_failed(self, event: HistoryEvent) -> str | None:
        attributes = event.signal_external_workflow_execution_failed_event_attributes
        cause = _enum_words(
            SignalExternalWorkflowExecutionFailedCause.Name(attributes.cause),
            "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_",
        )
        message = f"could not signal {attributes.workflow_execution.workflow_id}: {cause}"
        return self._end(attributes.initiated_event_id, event, "failed", message)

    # the run itself

    def _run_started(self, event: HistoryEvent) -> str | None:
        if self.runs:
            self._executions = {}  # event ids start again in the next run of the chain
            self._activity_ids = {}
            self._updates = {}
        self.runs += 1
        self.outcome = None
        self._fatal = self._fatal_error = None
        self._result = None
        self._cancel_requested = False
        start = self._graph.start
        if start is None:
            return None
        own = self._begin(start, event, "step")
        own._input = _Lazy(event.workflow_execution_started_event_attributes.input)
        return self._end(event.event_id, event, "completed")

    def _run_cancel_requested(self, event: HistoryEvent) -> str | None:
        self._cancel_requested = True
        return None

    def _close_in_flight(self, event: HistoryEvent, status: str) -> None:
        for key, execution in list(self._executions.items()):
            if not execution.closed:
                self._end(key, event, status)

    def _run_completed(self, event: HistoryEvent) -> str | None:
        self.outcome = "completed"
        self._result = _Lazy(event.workflow_execution_completed_event_attributes.result)
        return None

    def _run_failed(self, event: HistoryEvent) -> str | None:
        self.outcome = "failed"
        failure = event.workflow_execution_failed_event_attributes.failure
        self._fatal_error = root_message(failure)
        self._fatal = self._failing_node(failure)
        self._close_in_flight(event, "cancelled")
        if self._fatal is not None:
            own = self._own[self._fatal]
            if self._graph.kind[self._fatal] == "fail":
                own.count += 1
                own.started_at = own.started_at or self._time(event)
                own.ended_at = self._time(event)
                own.status = "failed"
                own.error = self._fatal_error
            self._note_failure(self._fatal, "failed", self._fatal_error)
        return self._fatal

    def _failing_node(self, failure: Failure) -> str | None:
        """The node a workflow failure came from: the step in its cause chain, a Fail node whose
        message it is, or None."""
        current: Failure | None = failure
        while current is not None:
            scheduled = 0
            if current.HasField("activity_failure_info"):
                scheduled = current.activity_failure_info.scheduled_event_id
            elif current.HasField("child_workflow_execution_failure_info"):
                scheduled = current.child_workflow_execution_failure_info.initiated_event_id
            execution = self._executions.get(scheduled) if scheduled else None
            if execution is not None:
                return execution.node_id
            current = current.cause if current.HasField("cause") else None
        error_type = failure.application_failure_info.type
        matches = [
            node_id
            for node_id, fail_type, pattern in self._graph.fails
            if fail_type == error_type and pattern.fullmatch(failure.message)
        ]
        return matches[0] if len(matches) == 1 else None

    def _run_cancelled(self, event: HistoryEvent) -> str | None:
        self.outcome = "cancelled"
        self._close_in_flight(event, "cancelled")
        return None

    def _run_timed_out(self, event: HistoryEvent) -> str | None:
        self.outcome = "timed_out"
        self._close_in_flight(event, "timed_out")
        return None

    def _run_terminated(self, event: HistoryEvent) -> str | None:
        self.outcome = "terminated"
        self._close_in_flight(event, "cancelled")
        return None

    def _run_continued(self, event: HistoryEvent) -> str | None:
        self.outcome = "continued_as_new"
        for key, execution in list(self._executions.items()):
            if not execution.closed and self._graph.kind[execution.node_id] not in _CHILD_KINDS:
                self._end(key, event, "cancelled")
        candidates = self._graph.continues
        if len(candidates) > 1:
            candidates = [c for c in candidates if self._pred_done(c)] or candidates[:0]
        if len(candidates) != 1:
            return None  # a work queue's own continue-as-new, or a choice history cannot tell
        own = self._begin(candidates[0], event, "step")
        own._input = _Lazy(event.workflow_execution_continued_as_new_event_attributes.input)
        return self._end(event.event_id, event, "completed")

    def _next_of(self, node_id: str) -> str | None:
        """The node control went to after `node_id`, when history can tell."""
        graph = self._graph
        ports = graph.ports[node_id]
        if len(ports) == 1 and len(graph.succ[node_id]) == 1:
            return graph.succ[node_id][0]
        kind = graph.kind[node_id]
        if kind == "try":
            failed = any(self._failed_pending[d] for d in graph.descendants[node_id])
            return ports.get("error" if failed else "out")
        if kind == "retry":
            failed = any(self._failed_pending[d] for d in graph.descendants[node_id])
            return ports.get("exhausted" if failed else "out")
        if kind == "wait" and self._own[node_id].status == "timed_out":
            return ports.get("timeout")
        return None

    def _pred_done(self, node_id: str) -> bool:
        return any(
            self._states[p].status == "completed" or self._own[p].status == "completed"
            for p in self._graph.pred[node_id]
        )

    # derived states

    def _derive(self) -> set[str]:
        reached, count, end_node = self._reached()
        fatal_path = self._fatal_path()
        changed: set[str] = set()
        # members come before what holds them: a holder's status reads its members' derived ones
        for i in self._graph.topo:
            status = self._derived_status(i, reached, fatal_path)
            runs = max(count[i], 1) if reached[i] else 0
            self._fill(i, status, runs, fatal_path, end_node)
            key = self._states[i]._key()
            if key != self._keys[i]:
                self._keys[i] = key
                changed.add(i)
        return changed

    def _runs(self, count: dict[str, int], node_id: str) -> int:
        """Times the node ran, as evidence of how often what holds or precedes it ran (a
        fan-out node that started N children ran once, as far as anything shows)."""
        if self._graph.kind[node_id] in _FAN_OUT_KINDS:
            return min(count[node_id], 1)
        return count[node_id]

    def _reached(self) -> tuple[dict[str, bool], dict[str, int], str | None]:
        """Which nodes ran and how often, as their own events and the nodes around them show;
        and the end node a completed run finished at, when that can be told."""
        graph = self._graph
        own = self._own
        reached: dict[str, bool] = {}
        count: dict[str, int] = {}
        for i in graph.order:
            reached[i] = own[i].status != "not_reached" or i in self._pending_gates
            count[i] = own[i].count if graph.kind[i] not in _CONTAINER_KINDS else 0
        # backward: a node ran if what it holds or what only it leads to ran; forward: a
        # step with no command of its own ran right after its finished predecessor
        end_node: str | None = None
        for _ in range(2):
            self._reach_backward(reached, count)
            self._reach_forward(reached, count)
            if self.outcome == "completed" and end_node is None:
                end_node = self._completed_end(reached, count)
        return reached, count, end_node

    def _reach_backward(self, reached: dict[str, bool], count: dict[str, int]) -> None:
        graph = self._graph
        own = self._own
        for i in graph.topo:
            members = graph.members[i]
            for e in graph.evidence[i]:
                if reached[e]:
                    reached[i] = True
                    # a loop's count is its rounds, not the times it was entered
                    if own[i].count == 0 and (e in members or graph.kind[e] != "loop"):
                        count[i] = max(count[i], self._runs(count, e))
            if graph.kind[i] == "retry" and reached[i]:
                rounds = max((self._runs(count, m) for m in members), default=0)
                count[i] = max(1, rounds - self._backoffs[i])

    def _reach_forward(self, reached: dict[str, bool], count: dict[str, int]) -> None:
        graph = self._graph
        for i in graph.forward:
            p = self._ran_right_after(i, reached)
            if p is None:
                continue
            reached[i] = True
            entered = self._runs(count, p)
            if graph.kind[p] == "loop":  # a loop's count is its rounds
                entered = max((self._runs(count, q) for q in graph.pred[p]), default=1)
            count[i] = max(count[i], entered)

    def _ran_right_after(self, node_id: str, reached: dict[str, bool]) -> str | None:
        """The finished predecessor a step with no command of its own ran right after, if it
        shows that it did."""
        graph = self._graph
        own = self._own
        if graph.kind[node_id] not in _STEP_EVENTLESS or own[node_id].count:
            return None
        if (
            graph.kind[node_id] == "end"
            and graph.scope[node_id] == "run"
            and self.outcome != "completed"
        ):
            return None
        preds = graph.pred[node_id]
        if len(preds) != 1 or self._next_of(preds[0]) != node_id:
            return None
        p = preds[0]
        if not reached[p] or self._in_flight[p] != 0 or own[p].status in ACTIVE:
            return None
        if own[p].status in ("failed", "cancelled", "timed_out"):
            return None
        return p

    def _completed_end(self, reached: dict[str, bool], count: dict[str, int]) -> str | None:
        """The end node a completed run finished at, marked reached, when it can be told."""
        run_ends = self._graph.run_ends
        ends = [e for e in run_ends if reached[e]] or (run_ends if len(run_ends) == 1 else [])
        if len(ends) != 1:
            return None
        end_node = ends[0]
        reached[end_node] = True
        count[end_node] = max(count[end_node], 1)
        return end_node

    def _fatal_path(self) -> set[str]:
        """The node whose failure failed the run, and every node holding it."""
        fatal_path: set[str] = set()
        if self.outcome != "failed" or self._fatal is None:
            return fatal_path
        stack = [self._fatal]
        while stack:
            current = stack.pop()
            if current in fatal_path:
                continue
            fatal_path.add(current)
            stack.extend(self._graph.holders[current])
        return fatal_path

    def _derived_status(self, node_id: str, reached: dict[str, bool], fatal_path: set[str]) -> str:
        graph = self._graph
        states = self._states
        mine = self._own[node_id]
        status = mine.status
        if node_id in self._pending_gates and status not in ("completed", "timed_out"):
            status = "waiting"
        retry = self._retrying.get(node_id)
        choice = graph.kind[node_id] in _CHOICE_KINDS
        member_active = [
            states[m].status
            for m in graph.members[node_id]
            if states[m].status in ACTIVE and not choice
        ]
        if status == "running" and retry and retry[0] > 1:
            return "retrying"
        if status in ACTIVE:
            return status
        if member_active:
            if graph.kind[node_id] == "retry" and (mine.attempt or 1) > 1:
                return "retrying"
            return "waiting" if all(s == "waiting" for s in member_active) else "running"
        if node_id in fatal_path and node_id != self._fatal and not choice:
            return "failed"
        if status == "not_reached" and reached[node_id]:
            return self._shown_by_others(node_id, reached)
        return status

    def _shown_by_others(self, node_id: str, reached: dict[str, bool]) -> str:
        """The status of a node with no events of its own that the nodes around it show ran:
        completed, or still running, or ended with the run."""
        graph = self._graph
        states = self._states
        members = graph.members[node_id]
        closed = self.outcome is not None
        ended = [states[m].status for m in members if states[m].status != "not_reached"]
        past = any(reached[s] for s in graph.succ[node_id])
        status = "completed"
        if not past and closed and self.outcome in ("cancelled", "timed_out", "terminated"):
            for candidate in ("timed_out", "cancelled"):
                if candidate in ended:
                    status = candidate
        elif not closed and members and not past and graph.scope[node_id] == "run":
            status = "running"
        return status

    def _fill(
        self, node_id: str, status: str, runs: int, fatal_path: set[str], end_node: str | None
    ) -> None:
        """The node's derived state from its own and its status."""
        state = self._states[node_id]
        mine = self._own[node_id]
        members = self._graph.members[node_id]
        retry = self._retrying.get(node_id)
        retrying = retry is not None and status == "retrying"
        if node_id in self._pending_gates and mine.status not in ("completed", "timed_out"):
            state.started_at = mine.started_at or self._gate_since.get(node_id)
        state.status = status
        state.count = runs
        state.attempt = retry[0] if retry is not None and retrying else mine.attempt
        starts = [t for t in (mine.started_at, _first(self._states, members)) if t is not None]
        state.started_at = (
            min(starts) if starts else (state.started_at if status == "waiting" else None)
        )
        state.ended_at = (
            (mine.ended_at or _last(self._states, members)) if status not in ACTIVE else None
        )
        state.error = mine.error if status in ("failed", "timed_out", "retrying") else None
        if retry is not None and retrying:
            state.error = retry[1]
        if (
            node_id in fatal_path
            and state.error is None
            and self._graph.kind[node_id] not in _CHOICE_KINDS
        ):
            state.error = self._fatal_error
        state.last_failure = mine.last_failure
        state.children = mine.children
        state.compensation = mine.compensation
        state._input = mine._input
        state._output = mine._output
        if node_id == end_node and self._result is not None:
            state._output = self._result
        if status == "not_reached":
            state.started_at = state.ended_at = None


def _first(states: dict[str, NodeState], members: list[str]) -> datetime | None:
    times = [t for m in members if (t := states[m].started_at) is not None]
    return min(times) if times else None


def _last(states: dict[str, NodeState], members: list[str]) -> datetime | None:
    times = [t for m in members if (t := states[m].ended_at) is not None]
    return max(times) if times else None


def _task_failure(event: HistoryEvent) -> str:
    """A failed workflow task in words: the error the code raised, or why Temporal refused a
    command it gave (a signal to no workflow id, an activity with bad options)."""
    attributes = event.workflow_task_failed_event_attributes
    message = attributes.failure.message.strip()
    cause = WorkflowTaskFailedCause.Name(attributes.cause)
    return message or _enum_words(cause, "WORKFLOW_TASK_FAILED_CAUSE_")


def _enum_words(name: str, prefix: str) -> str:
    """`START_CHILD_..._CAUSE_WORKFLOW_ALREADY_EXISTS` -> `workflow already exists`."""
    return name.removeprefix(prefix).replace("_", " ").lower()


_ATTEMPT = re.compile(r"backoff after attempt (\d+)$")

_HANDLERS: dict[int, _EventHandler] = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: RunTracker._activity_scheduled,
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: RunTracker._activity_started,
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: RunTracker._activity_completed,
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: RunTracker._activity_failed,
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: RunTracker._activity_timed_out,
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: RunTracker._activity_cancelled,
    EventType.EVENT_TYPE_TIMER_STARTED: RunTracker._timer_started,
    EventType.EVENT_TYPE_TIMER_FIRED: RunTracker._timer_fired,
    EventType.EVENT_TYPE_TIMER_CANCELED: RunTracker._timer_cancelled,
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: RunTracker._child_initiated,
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED: RunTracker._child_start_failed,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: RunTracker._child_started,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED: RunTracker._child_completed,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED: RunTracker._child_failed,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED: RunTracker._child_cancelled,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT: RunTracker._child_timed_out,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED: RunTracker._child_terminated,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: RunTracker._signalled,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: RunTracker._update_accepted,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: RunTracker._update_completed,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: (
        RunTracker._external_initiated
    ),
    EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED: RunTracker._external_signalled,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED: RunTracker._external_failed,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: RunTracker._run_started,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED: RunTracker._run_cancel_requested,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: RunTracker._run_completed,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: RunTracker._run_failed,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: RunTracker._run_cancelled,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: RunTracker._run_timed_out,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: RunTracker._run_terminated,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: RunTracker._run_continued,
}
_RUN_EVENTS = frozenset(
    {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    }
)


def node_states(
    events: Iterable[HistoryEvent],
    document: Workflow | Mapping[str, Any],
    pending_activities: Iterable[PendingActivityInfo] = (),
    pending_gates: Iterable[str | Mapping[str, Any]] = (),
) -> dict[str, NodeState]:
    """Every node's state after `events` (one run, or a continue-as-new chain in order).

    `pending_activities` (from describe()) and `pending_gates` (the `pending_gates` query: gate
    names, node ids or its dict entries) add what a running run's history does not hold yet.
    """
    tracker = RunTracker(document)
    tracker.extend(events)
    activities, gates = list(pending_activities), list(pending_gates)
    if activities or gates:
        tracker.set_pending(activities, gates)
    return tracker.states

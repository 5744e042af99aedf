"""A live view of one `spawn_children` or `work_queue` node's children in a run.

For each item: its key, its child's workflow id, its status (waiting, and why: its dependencies,
the concurrency limit, a pause, a retry's backoff; running; completed; failed; cancelled;
skipped), the items it depends on, its start and close times; and the limit in use with how
many run now. It is worked out from what Temporal holds, at a bounded cost per request:

- the parent's history (one pass over the current run; the earlier runs of a continue-as-new
  chain are read once per process, since a closed run never changes): each child the node
  started, when, and how it closed (`backend.runtime.children`);
- the generated code's `spawn_progress` query (waiting, running, completed, failed and
  skipped keys of a spawn step under way), and the workflow's own query nodes where one
  answers a state field the view needs (a work queue's `state.queue`, its progress record, a
  limit read from `state.max_concurrent`); a query that does not answer in time is skipped;
- the items, keys, child ids and dependencies the node's expressions give, evaluated on the
  run's recorded data (`backend.runtime.expression_values`): its input, the results of its
  steps, state its set_state steps assigned, the state a continue-as-new carried;
- for a closed run whose history leaves children open (cancelled with their parent), the
  children's own descriptions, at most `MAX_DESCRIBES` of them.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowQueryFailedError
from temporalio.exceptions import FailureError
from temporalio.service import RPCError

from backend.errors import Invalid, NotFound
from backend.runtime.children import ACTIVE, ChildStart, RunScan, decode, merge, scan_run
from backend.runtime.expression_values import (
    Bound,
    Unknown,
    evaluate,
    item_paths,
    navigate,
    parsed,
    put,
    state_path,
)
from backend.runtime.node_states import NodeState, RunTracker
from backend.services import runs
from language.diagnostics import Codes, Diagnostic
from language.document import Node
from node_types.spawn_children import MAX_CONCURRENCY

KINDS = ("spawn_children", "work_queue")
_NODE_DONE = frozenset({"completed", "failed", "cancelled", "timed_out"})
_RESULT_KINDS = frozenset({"activity", "agent", "child_workflow"})
"""Steps whose `result` is their recorded output."""
MAX_ITEMS = 1000
"""Items one answer lists, at most (the counts cover them all)."""
MAX_EVALUATED = 5000
"""Items whose key, child id and dependencies are worked out, at most."""
MAX_DESCRIBES = 20
"""Children described for a closed run whose history leaves them open, at most."""
MAX_ROUNDS = 3
"""Rounds of queries asked for values the expressions turned out to need."""
_SCAN_CACHE_SIZE = 256
_SCANS: OrderedDict[tuple[str, str, str, str], RunScan] = OrderedDict()

_EMPTY_PROGRESS: dict[str, Any] = {
    "items": {},
    "running": {},
    "attempts": {},
    "retry_at": {},
    "started": 0,
    "completed": 0,
    "failed": 0,
    "retried": 0,
    "duplicates": 0,
    "continued_as_new": 0,
}
_STATS = ("started", "completed", "failed", "retried", "duplicates", "continued_as_new")
_CLOSED_STATUS = {
    WorkflowExecutionStatus.COMPLETED: "completed",
    WorkflowExecutionStatus.FAILED: "failed",
    WorkflowExecutionStatus.CANCELED: "cancelled",
    WorkflowExecutionStatus.TERMINATED: "terminated",
    WorkflowExecutionStatus.TIMED_OUT: "timed_out",
}


class _NoAnswer:
    """A query that did not answer (closed run, worker away, too slow, failed)."""


NO_ANSWER = _NoAnswer()


# --- the node ---------------------------------------------------------------------------------


def node_of(run: runs.Run, node_id: str) -> Node:
    """The node, 404 when the workflow has none of that id, 422 when it has no children view."""
    node = next((n for n in run.document.nodes if n.id == node_id), None)
    if node is None:
        raise NotFound(f"workflow {run.document.id!r} has no node {node_id!r}")
    if node.type not in KINDS:
        message = (
            f"node {node_id!r} is a {node.type!r} node; only spawn_children and work_queue "
            "nodes have a children view"
        )
        raise Invalid(
            message,
            [
                Diagnostic(
                    Codes.SCHEMA,
                    message,
                    workflow_id=run.document.id,
                    node_id=node_id,
                    field="node_id",
                )
            ],
        )
    return node


# --- what expressions can read ----------------------------------------------------------------


def exposures(nodes: Iterable[Node]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """`state.x.y` -> (query name, where in its answer) for each state path a query node
    answers: its whole value, a field of the project type it builds, or a key of its dict."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for node in nodes:
        name, value = node.config.get("name"), node.config.get("value")
        if node.type != "query" or not isinstance(name, str) or not isinstance(value, str):
            continue
        try:
            tree = parsed(value)
        except Unknown:
            continue
        parts: list[tuple[Any, tuple[str, ...]]] = [(tree, ())]
        if isinstance(tree, ast.Call) and not tree.args:
            parts += [(kw.value, (kw.arg,)) for kw in tree.keywords if kw.arg]
        if isinstance(tree, ast.Dict):
            parts += [
                (v, (k.value,))
                for k, v in zip(tree.keys, tree.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
        for part, where in parts:
            path = state_path(part)
            if path is not None:
                found.setdefault("state." + ".".join(path), (name, where))
    return found


class RunNames:
    """The names a node's expressions read, from the run's recorded data.

    `state.<path>` comes from, in order: a query node answering it (asked only when the run is
    open; a query not asked yet is noted in `wanted` and the value is Unknown until it is), the
    set_state step that last assigned the field in this run (evaluated again), the state a
    continue-as-new carried into this run, the field's default.
    """

    def __init__(
        self,
        run: runs.Run,
        run_input: Any,
        tracker: RunTracker,
        answers: dict[str, Any],
        extra_defaults: Mapping[str, Any],
    ) -> None:
        self.run = run
        self.input = run_input if isinstance(run_input, dict) else {}
        self.tracker = tracker
        self.answers = answers
        self.wanted: set[str] = set()
        self.sources: dict[str, str] = {}
        self.exposed = exposures(run.document.nodes)
        self.defaults: dict[str, Any] = {v.name: v.default for v in run.document.state}
        self.defaults.update(extra_defaults)
        resume = run.workflow.resume_field
        carried = self.input.get(resume) if resume else None
        self.carried: dict[str, Any] | None = carried if isinstance(carried, dict) else None
        self._busy: set[tuple[str, int]] = set()
        self._assigners: dict[str, list[tuple[Node, int]]] = {}
        for node in run.document.nodes:
            if node.type != "set_state":
                continue
            for index, assignment in enumerate(node.config.get("assignments") or []):
                if isinstance(assignment, dict) and isinstance(assignment.get("target"), str):
                    self._assigners.setdefault(assignment["target"], []).append((node, index))

    # Names

    def name(self, name: str) -> Any:
        if name == "input":
            return self.input
        if name == "workflow_id":
            return self.run.workflow_id
        for node in self.run.document.nodes:
            if node.config.get("result") == name and node.type in _RESULT_KINDS:
                state = self.tracker.states.get(node.id)
                if state is not None and state.status == "completed":
                    return state.output
        return self._assigned(name)[0]

    def state(self, path: tuple[str, ...]) -> Any:
        for size in range(len(path), 0, -1):
            exposed = self.exposed.get("state." + ".".join(path[:size]))
            if exposed is None:
                continue
            query, inside = exposed
            if query not in self.answers:
                self.wanted.add(query)
                raise Unknown(f"query {query} not asked yet")
            answer = self.answers[query]
            if answer is NO_ANSWER:
                continue
            self.sources[".".join(path)] = f"query {query}"
            return navigate(navigate(answer, inside), path[size:])
        value, source = self._assigned("state." + path[0])
        self.sources[".".join(path)] = source
        return navigate(value, path[1:])

    # the sources below the queries

    def _assigned(self, target: str) -> tuple[Any, str]:
        """The value the last set_state step of this run that assigned `target` gave it, and
        where it came from."""
        done: list[tuple[NodeState, Node, int]] = []
        for node, index in self._assigners.get(target, []):
            state = self.tracker.states.get(node.id)
            if state is not None and state.status == "completed":
                done.append((state, node, index))
        if done:
            never = datetime.min.replace(tzinfo=UTC)
            latest = max(
                enumerate(done),
                key=lambda pair: (pair[1][0].ended_at or pair[1][0].started_at or never, pair[0]),
            )[1]
            _, node, index = latest
            key = (node.id, index)
            if key in self._busy:
                raise Unknown(f"{target} is built from itself")
            self._busy.add(key)
            try:
                assignment: Any = node.config["assignments"]
                assignment = assignment[index]
                value = evaluate(str(assignment["value"]), self)
            finally:
                self._busy.discard(key)
            return value, f"set_state {node.id}"
        if not target.startswith("state."):
            raise Unknown(target)
        return self._at_start(target[6:])

    def _at_start(self, name: str) -> tuple[Any, str]:
        if self.carried is not None and name in self.carried:
            return self.carried[name], "the state the run began with"
        if name in self.defaults:
            return self.defaults[name], "the default"
        raise Unknown(f"state.{name}")

    def at_start(self, path: tuple[str, ...]) -> Any:
        """`state.<path>` as this run began: carried by a continue-as-new, or the default."""
        value, where = self._at_start(path[0])
        self.sources[".".join(path)] = where
        return navigate(value, path[1:])


def _try(compute: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return compute(*args, **kwargs)
    except Unknown:
        return None


# --- reading the run ----------------------------------------------------------------------------


@dataclass
class Read:
    """The run's history as far as the view needs it."""

    events_input: Any
    tracker: RunTracker
    records: dict[str, ChildStart]
    runs_read: int
    notes: list[str] = field(default_factory=list)


async def read(run: runs.Run, node_id: str) -> Read:
    """The current run's history in full (its node states, its input), and the children of
    the earlier runs of its continue-as-new chain (scans kept per process: they never change)."""
    events = await runs.history(run.client, run.workflow_id, run.run_id)
    tracker = RunTracker(run.document)
    tracker.extend(events)
    current = scan_run(events, node_id)
    scans = [current]
    notes: list[str] = []
    earlier = current.continued_from
    for _ in range(runs.MAX_CHAIN):
        if earlier is None:
            break
        key = (run.client.namespace, run.workflow_id, earlier, node_id)
        scan = _SCANS.get(key)
        if scan is None:
            try:
                scan = scan_run(await runs.history(run.client, run.workflow_id, earlier), node_id)
            except NotFound:
                notes.append("earlier runs of the chain are no longer kept")
                break
            if scan.closed:
                _SCANS[key] = scan
                while len(_SCANS) > _SCAN_CACHE_SIZE:
                    _SCANS.popitem(last=False)
        if key in _SCANS:
            _SCANS.move_to_end(key)
        scans.insert(0, scan)
        earlier = scan.continued_from
    else:
        if earlier is not None:
            notes.append(f"only the last {runs.MAX_CHAIN} runs of the chain are read")
    return Read(decode(current.input), tracker, merge(scans), len(scans), notes)


async def ask(run: runs.Run, names: Iterable[str]) -> dict[str, Any]:
    """Each query's answer, or NO_ANSWER; asked side by side, each within a short deadline."""

    async def one(name: str) -> Any:
        try:
            async with asyncio.timeout(runs.GATES_TIMEOUT.total_seconds() + 1):
                return await run.handle.query(name, rpc_timeout=runs.GATES_TIMEOUT)
        except (RPCError, FailureError, TimeoutError, WorkflowQueryFailedError):
            return NO_ANSWER

    chosen = sorted(set(names))
    answers = await asyncio.gather(*(one(name) for name in chosen))
    return dict(zip(chosen, answers, strict=True))


async def settle(run: runs.Run, records: dict[str, ChildStart]) -> list[str]:
    """A closed run leaves open in its history the children it did not wait for (cancelled
    with it, or abandoned): their own descriptions say how they are (a bounded number)."""
    if run.is_open:
        return []
    open_ones = [start for start in records.values() if start.status in ACTIVE]
    notes = []
    if len(open_ones) > MAX_DESCRIBES:
        notes.append(
            f"{len(open_ones) - MAX_DESCRIBES} children the run left open were not looked up"
        )

    async def look(start: ChildStart) -> None:
        handle = run.client.get_workflow_handle(start.workflow_id, run_id=start.run_id)
        with contextlib.suppress(RPCError, TimeoutError):
            async with asyncio.timeout(runs.GATES_TIMEOUT.total_seconds() + 1):
                found = await handle.describe(rpc_timeout=runs.GATES_TIMEOUT)
            if found.status in _CLOSED_STATUS:
                start.status = _CLOSED_STATUS[found.status]
                start.ended_at = found.close_time
            elif found.status == WorkflowExecutionStatus.RUNNING:
                start.status = "running"

    await asyncio.gather(*(look(start) for start in open_ones[:MAX_DESCRIBES]))
    return notes


# --- items ----------------------------------------------------------------------------------


@dataclass
class Item:
    key: str
    workflow_id: str | None = None
    status: str = "waiting"
    waiting_for: str | None = None
    depends_on: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)
    record: ChildStart | None = None
    error: str | None = None
    retry_at: datetime | None = None
    rank: Any = None

    def to_dict(self) -> dict[str, Any]:
        record = self.record
        return {
            "key": self.key,
            "workflow_id": self.workflow_id,
            "run_id": record.run_id if record else None,
            "status": self.status,
            "waiting_for": self.waiting_for if self.status == "waiting" else None,
            "depends_on": self.depends_on,
            "blocked_by": self.blocked_by if self.status == "waiting" else [],
            "attempts": record.attempts if record else 0,
            "started_at": _iso(record.initiated_at) if record else None,
            "ended_at": _iso(record.ended_at) if record else None,
            "error": self.error or (record.error if record else None),
            "retry_at": _iso(self.retry_at),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class ItemLogic:
    """Keys, child ids and dependencies of items, from the node's config."""

    def __init__(self, node: Node, names: RunNames) -> None:
        config = node.config
        self.names = names
        self.key_text = str(config.get("key") or "item")
        self.template = _text(config.get("id_template"))
        self.workflow = str(config.get("workflow", ""))
        self.depends = _text(config.get("depends_on"))
        self.order = _text(config.get("order_by"))
        args = config.get("args") if isinstance(config.get("args"), dict) else {}
        self.arg_paths = {
            name: path
            for name, text in (args or {}).items()
            if isinstance(text, str) and (path := item_paths(text)) is not None
        }
        self.key_path = item_paths(self.key_text)

    def _with(self, item: Any) -> Bound:
        return Bound({"item": item}, self.names)

    def key(self, item: Any) -> str:
        return str(evaluate(self.key_text, self._with(item)))

    def child_id(self, item: Any, key: str) -> str:
        if self.template is None:
            return f"{self.workflow}-{key}"
        return str(evaluate(self.template, self._with(item), template=True))

    def needs(self, item: Any) -> list[str]:
        if self.depends is None:
            return []
        found = evaluate(self.depends, self._with(item))
        if not isinstance(found, list | tuple | set | dict):
            raise Unknown("dependencies are not a list")
        return sorted({str(d) for d in found})

    def rank(self, item: Any) -> Any:
        return None if self.order is None else _try(evaluate, self.order, self._with(item))

    def from_input(self, child_input: Any) -> Any:
        """The parts of an item its child's input shows (`args` that read `item.<path>`)."""
        if not isinstance(child_input, dict):
            raise Unknown("no input")
        item: dict[str, Any] = {}
        for name, path in self.arg_paths.items():
            if name not in child_input:
                continue
            if not path:
                return child_input[name]
            put(item, path, child_input[name])
        if not item:
            raise Unknown("no item in the input")
        return item

    def from_key(self, key: str) -> Any:
        """An item that has only its key (enough for `item.name` keys and ids)."""
        if self.key_path is None:
            raise Unknown("the key is computed")
        if not self.key_path:
            return key
        item: dict[str, Any] = {}
        put(item, self.key_path, key)
        return item


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _status_of(start: ChildStart) -> str:
    return "running" if start.status in ACTIVE else start.status


def _counts(items: Iterable[Item]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    return counts


def _limit(node: Node, names: RunNames) -> tuple[int | None, str]:
    config = node.config
    text = config.get("concurrency_from")
    if isinstance(text, str) and text:
        value = _try(evaluate, text, names)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return max(1, min(MAX_CONCURRENCY, int(value))), text
        return None, text
    fixed = config.get("concurrency", 4)
    return (int(fixed) if isinstance(fixed, int) else 4), "fixed"


# --- spawn_children ---------------------------------------------------------------------------


def spawn_items(
    node: Node,
    names: RunNames,
    records: dict[str, ChildStart],
    progress: dict[str, Any] | None,
    node_active: bool,
    limit: int | None,
) -> tuple[list[Item], bool, list[str]]:
    """The items in list order (then children no item names), whether the dependencies are
    known, and notes."""
    logic = ItemLogic(node, names)
    notes: list[str] = []
    items: OrderedDict[str, Item] = OrderedDict()
    by_id: dict[str, str] = {}
    known_needs = logic.depends is None
    listed = _try(evaluate, str(node.config.get("items", "")), names)
    if isinstance(listed, list):
        known_needs = _add_listed(listed, logic, items, by_id, notes)
    elif node_active or progress:
        notes.append("the list of items could not be worked out from the run's data")
    _add_started(records, logic, items, by_id)
    if progress and _add_progress_keys(progress, logic, items) and logic.depends is not None:
        known_needs = False
    for item in items.values():
        item.status = _spawn_status(item, progress, node_active)
        if progress and item.status == "failed" and item.error is None:
            failed = progress.get("failed")
            if isinstance(failed, dict) and item.key in failed:
                item.error = str(failed[item.key])
    _say_what_waits(items, limit)
    return list(items.values()), known_needs, notes


def _add_listed(
    listed: list[Any],
    logic: ItemLogic,
    items: OrderedDict[str, Item],
    by_id: dict[str, str],
    notes: list[str],
) -> bool:
    """The items of the list the node spawns from, in its order; whether all their
    dependencies are known."""
    if len(listed) > MAX_EVALUATED:
        notes.append(f"only the first {MAX_EVALUATED} of {len(listed)} items are worked out")
    known_needs = True
    for index, value in enumerate(listed[:MAX_EVALUATED]):
        key = _try(logic.key, value)
        key = key if key is not None else f"#{index + 1}"
        if key in items:
            continue
        child = _try(logic.child_id, value, key)
        needs = _try(logic.needs, value)
        if needs is None:
            known_needs = False
        items[key] = Item(key, child, depends_on=needs or [])
        if child is not None:
            by_id[child] = key
    return known_needs


def _add_started(
    records: dict[str, ChildStart],
    logic: ItemLogic,
    items: OrderedDict[str, Item],
    by_id: dict[str, str],
) -> None:
    """Each child started, on its item (found by its id, else by the item its input shows)."""
    for workflow_id, start in records.items():
        key = by_id.get(workflow_id)
        partial = None
        if key is None:
            partial = _try(logic.from_input, start.input_value())
            key = (_try(logic.key, partial) if partial is not None else None) or workflow_id
        item = items.get(key)
        if item is None:
            needs = _try(logic.needs, partial) if partial is not None else None
            item = items[key] = Item(key, workflow_id, depends_on=needs or [])
        item.workflow_id = workflow_id
        item.record = start


def _add_progress_keys(
    progress: dict[str, Any], logic: ItemLogic, items: OrderedDict[str, Item]
) -> bool:
    """The items the node's progress names and nothing else showed; whether there were any."""
    added = False
    for group in ("waiting", "running", "completed", "skipped", "failed"):
        for raw_key in progress.get(group) or []:
            key = str(raw_key)
            if key not in items:
                pseudo = _try(logic.from_key, key)
                child = _try(logic.child_id, pseudo, key) if pseudo is not None else None
                items[key] = Item(key, child)
                added = True
    return added


def _say_what_waits(items: OrderedDict[str, Item], limit: int | None) -> None:
    """What each waiting item waits for: its dependencies, the limit, or its start."""
    statuses = {item.key: item.status for item in items.values()}
    running = sum(1 for status in statuses.values() if status == "running")
    for item in items.values():
        item.depends_on = [d for d in item.depends_on if d in items]
        if item.status != "waiting":
            continue
        item.blocked_by = [d for d in item.depends_on if statuses.get(d) != "completed"]
        if item.blocked_by:
            item.waiting_for = "dependencies"
        elif limit is not None and running >= limit:
            item.waiting_for = "limit"
        else:
            item.waiting_for = "start"


def _spawn_status(item: Item, progress: dict[str, Any] | None, node_active: bool) -> str:
    record = item.record
    if progress:
        for group, status in (
            ("completed", "completed"),
            ("failed", "failed"),
            ("skipped", "skipped"),
            ("running", "running"),
            ("waiting", "waiting"),
        ):
            if item.key in {str(k) for k in progress.get(group) or []}:
                if status in ("running", "failed") and record is not None:
                    return "running" if status == "running" else _status_of(record)
                return status
    if record is not None:
        return _status_of(record)
    return "waiting" if node_active else "skipped"


# --- work_queue -----------------------------------------------------------------------------


def queue_items(
    node: Node,
    names: RunNames,
    records: dict[str, ChildStart],
    node_active: bool,
    limit: int | None,
    run_started: datetime | None = None,
) -> tuple[list[Item], dict[str, Any], list[str]]:
    """Running, waiting to retry, queued (in the order they will be taken), then finished
    (newest first); the queue's flags and statistics; notes."""
    config = node.config
    logic = ItemLogic(node, names)
    notes: list[str] = []
    queue_field = str(config.get("queue", "queue"))
    progress = _QueueProgress(names, str(config.get("progress", "progress")))
    queue, live_queue = _queue_of(names, queue_field, node_active, notes)

    running_ids = {str(v): str(k) for k, v in progress.mapping("running")[0].items()}
    kept_items = progress.mapping("items")[0]
    attempts, live_attempts = progress.mapping("attempts")
    retry_at, live_retry = progress.mapping("retry_at")
    # statistics only as a query answers them now (at the run's start they would mislead)
    stats = {
        name: value if live else None for name in _STATS for value, live in [progress.part(name)]
    }
    by_id = dict(running_ids)
    for key, value in list(kept_items.items())[:MAX_EVALUATED]:
        child = _try(logic.child_id, value, str(key))
        if child is not None:
            by_id.setdefault(child, str(key))

    items: OrderedDict[str, Item] = OrderedDict()
    for workflow_id, start in records.items():
        found = by_id.get(workflow_id)
        if found is None:
            partial = _try(logic.from_input, start.input_value())
            found = (_try(logic.key, partial) if partial is not None else None) or workflow_id
        item = Item(found, workflow_id, record=start, status=_status_of(start))
        if item.status == "failed" and node_active:
            retrying = found in attempts if live_attempts else start.attempts < _max(config)
            if retrying:
                item.status = "waiting"
                item.waiting_for = "retry"
        items[found] = item
    _add_retries(items, retry_at, kept_items, logic, node_active)

    paused = _flag(config.get("paused_when"), names)
    draining = _flag(config.get("drain_when"), names)
    stopping = _flag(config.get("stop_when"), names)
    running = sum(1 for item in items.values() if item.status == "running")
    reason = (
        "paused"
        if paused
        else "draining"
        if draining
        else "limit"
        if limit is not None and running >= limit
        else "start"
    )
    taken_since = run_started if not live_queue else None
    queued = _queued(queue, items, logic, reason, node_active, taken_since)
    if len(queue) > MAX_EVALUATED:
        notes.append(f"only the first {MAX_EVALUATED} of {len(queue)} queued items are listed")
    facts: dict[str, Any] = {
        "paused": paused,
        "draining": draining,
        "stopping": stopping,
        "queued": len(queue),
        "stats": stats if any(isinstance(v, int) for v in stats.values()) else None,
        "live_queue": live_queue,
        "live_retries": live_retry,
    }
    return _in_queue_order(items, queued), facts, notes


@dataclass
class _QueueProgress:
    """The parts of a work queue's bookkeeping, `state.<field>.<part>`."""

    names: RunNames
    progress_field: str

    def part(self, name: str) -> tuple[Any, bool]:
        """`state.<progress>.<name>`, and whether a query gave it (else: as the run began)."""
        value = _try(self.names.state, (self.progress_field, name))
        live = self.names.sources.get(f"{self.progress_field}.{name}", "").startswith("query ")
        return value, live

    def mapping(self, name: str) -> tuple[dict[str, Any], bool]:
        value, live = self.part(name)
        return (value if isinstance(value, dict) else {}), live


def _queue_of(
    names: RunNames, queue_field: str, node_active: bool, notes: list[str]
) -> tuple[list[Any], bool]:
    """The queued items, and whether a query gave them (else: as the run began)."""
    queue = _try(names.state, (queue_field,))
    live_queue = names.sources.get(queue_field, "").startswith("query ")
    if not live_queue:
        queue = _try(names.at_start, (queue_field,))
        if node_active:
            notes.append(
                f"the queue shows state.{queue_field} as this run began; a query node answering "
                f"state.{queue_field} would show the items queued since"
            )
    return (queue if isinstance(queue, list) else []), live_queue


def _add_retries(
    items: OrderedDict[str, Item],
    retry_at: dict[str, Any],
    kept_items: dict[str, Any],
    logic: ItemLogic,
    node_active: bool,
) -> None:
    """The items waiting to be tried again (skipped, once the node is done)."""
    for name, at in retry_at.items():
        key = str(name)
        waiting = items.get(key)
        if waiting is None:
            waiting = items[key] = Item(key, status="waiting")
            value = kept_items.get(key)
            waiting.workflow_id = _try(logic.child_id, value, key) if value is not None else None
        if not node_active:
            waiting.status = "skipped" if waiting.record is None else waiting.status
        elif waiting.status in ("waiting", "failed"):
            waiting.status = "waiting"
            waiting.waiting_for = "retry"
            if isinstance(at, int | float):
                waiting.retry_at = datetime.fromtimestamp(at, UTC)


def _queued(
    queue: list[Any],
    items: OrderedDict[str, Item],
    logic: ItemLogic,
    reason: str,
    node_active: bool,
    taken_since: datetime | None,
) -> list[Item]:
    """The queue's items in the order they will be taken. `taken_since`: when the queue is the
    one the run began with, the children started since then took its items."""
    queued: list[Item] = []
    for index, value in enumerate(queue[:MAX_EVALUATED]):
        key = _try(logic.key, value)
        key = key if key is not None else f"#{index + 1}"
        earlier = items.get(key)
        if earlier is not None and earlier.status in ("running", "waiting"):
            continue  # the queue skips it as a duplicate
        if (
            earlier is not None
            and earlier.record is not None
            and taken_since is not None
            and earlier.record.initiated_at >= taken_since
        ):
            continue  # queued as the run began, taken since
        item = Item(key, _try(logic.child_id, value, key), status="waiting", waiting_for=reason)
        if not node_active:
            item.status, item.waiting_for = "skipped", None  # left in the queue for good
        item.rank = logic.rank(value)
        if earlier is not None:
            item.record = earlier.record  # queued again after it finished
            del items[key]
        queued.append(item)
    if logic.order is not None:
        ranked = [item for item in queued if item.rank is not None]
        if len(ranked) == len(queued):
            with contextlib.suppress(TypeError):
                queued.sort(key=lambda item: item.rank)
    return queued


def _in_queue_order(items: OrderedDict[str, Item], queued: list[Item]) -> list[Item]:
    """Running, waiting to retry, queued, then finished (newest first)."""

    def closed_order(item: Item) -> float:
        ended = item.record.ended_at if item.record else None
        return -(ended.timestamp() if ended else 0.0)

    return (
        [i for i in items.values() if i.status == "running"]
        + [i for i in items.values() if i.status == "waiting"]
        + queued
        + sorted(
            (i for i in items.values() if i.status not in ("running", "waiting")),
            key=closed_order,
        )
    )


def _max(config: Mapping[str, Any]) -> int:
    value = config.get("max_attempts", 3)
    return value if isinstance(value, int) else 3


def _flag(text: Any, names: RunNames) -> bool | None:
    if not isinstance(text, str) or not text:
        return None
    value = _try(evaluate, text, names)
    return None if value is None else bool(value)


# --- the view -------------------------------------------------------------------------------


async def children_view(run: runs.Run, node_id: str) -> dict[str, Any]:
    node = node_of(run, node_id)
    found = await read(run, node_id)
    notes = list(found.notes)
    notes += await settle(run, found.records)
    state = found.tracker.states.get(node_id)
    node_status = state.status if state is not None else "not_reached"
    # a run that is open may still reach the node, or (after a continue-as-new) not have
    # recorded anything of it yet
    node_active = run.is_open and node_status not in _NODE_DONE
    extra = {}
    if node.type == "work_queue":
        extra[str(node.config.get("progress", "progress"))] = dict(_EMPTY_PROGRESS)
    answers: dict[str, Any] = {}
    if node.type == "spawn_children" and node_active:
        answers.update(await ask(run, ["spawn_progress"]))

    for _ in range(MAX_ROUNDS):
        names = RunNames(run, found.events_input, found.tracker, answers, extra)
        limit, limit_source = _limit(node, names)
        facts: dict[str, Any] = {}
        if node.type == "spawn_children":
            progress = _spawn_progress(answers.get("spawn_progress"), node_id)
            items, known_needs, more = spawn_items(
                node, names, found.records, progress, node_active, limit
            )
        else:
            items, facts, more = queue_items(
                node,
                names,
                found.records,
                node_active,
                limit,
                run.description.start_time,
            )
            known_needs = True
        wanted = names.wanted - set(answers)
        if not wanted:
            break
        if run.is_open:
            answers.update(await ask(run, wanted))
        else:
            answers.update(dict.fromkeys(wanted, NO_ANSWER))
    notes += more
    running = sum(1 for item in items if item.status == "running")
    shown = items[:MAX_ITEMS]
    keys = {item.key for item in shown}
    edges = [
        {"source": dependency, "target": item.key}
        for item in shown
        for dependency in item.depends_on
        if dependency in keys
    ]
    sources = {name: where for name, where in sorted(names.sources.items())}
    return {
        "workflow_id": run.workflow_id,
        "run_id": run.run_id,
        "run_status": run.description.status.name if run.description.status else None,
        "closed": not run.is_open,
        "node_id": node_id,
        "kind": node.type,
        "label": node.label or node_id,
        "child_workflow": str(node.config.get("workflow", "")),
        "node_status": node_status,
        "limit": limit,
        "limit_from": None if limit_source == "fixed" else limit_source,
        "running": running,
        "counts": _counts(items),
        "total": len(items),
        "truncated": len(items) > len(shown),
        "has_dependencies": node.type == "spawn_children"
        and isinstance(node.config.get("depends_on"), str),
        "dependencies_known": known_needs,
        "items": [item.to_dict() for item in shown],
        "edges": edges,
        "queue": facts or None,
        "sources": sources,
        "runs_read": found.runs_read,
        "notes": notes,
    }


def _spawn_progress(answer: Any, node_id: str) -> dict[str, Any] | None:
    """The `spawn_progress` entries of this node (one per step under way), merged."""
    if not isinstance(answer, list):
        return None
    merged: dict[str, Any] = {}
    for entry in answer:
        if not isinstance(entry, dict) or entry.get("node") != node_id:
            continue
        for group in ("waiting", "running", "completed", "skipped"):
            merged.setdefault(group, []).extend(entry.get(group) or [])
        failed = entry.get("failed")
        if isinstance(failed, dict):
            merged.setdefault("failed", {}).update(failed)
    return merged or None

"""`spawn_children` on the real dev server: dependency order, the concurrency limit, a limit raised
by a signal mid-run, each failure policy and dependency cycles.

Every claim is proven from what Temporal recorded: the parent's history (when each child was
initiated and when it closed, in history order) and the children's own executions (start and
close times, final status, or that they never ran at all).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.exceptions import ApplicationError, ChildWorkflowError
from temporalio.service import RPCError, RPCStatusCode

from compiler import compile_project
from tests.support.harness import (
    chain,
    edge,
    import_package,
    node,
    project,
    running_worker,
    unique_id,
)

RUN_TIMEOUT = timedelta(seconds=45)
"""A broken parent fails its test after this long instead of hanging the session."""

INITIATED = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
CHILD_COMPLETED = EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED
CHILD_CLOSED = {
    CHILD_COMPLETED,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
}
SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED

FAILS = "len([name for name in state.failures if name == item.name]) < item.fail_times"
"""A child fails while it has failed fewer times than its item says (each failure is reported
back to the parent by a signal, so a retried child sees the count grow)."""


# the project


def task(
    name: str, deps: Iterable[str] = (), fail_times: int = 0, slow: bool = False
) -> dict[str, Any]:
    return {"name": name, "deps": list(deps), "fail_times": fail_times, "slow": slow}


def child_workflow() -> dict[str, Any]:
    """`step`: fails when told (after reporting the failure to its parent), else waits 0.4 s (or
    10 s when slow) and returns its name."""
    return {
        "id": "step",
        "name": "step",
        "input": {"name": "str", "fail": "bool", "slow": "bool", "parent": "str"},
        "output": "str",
        "state": [],
        "nodes": [
            node("start", "start"),
            node("broken", "condition", expression="input.fail"),
            node(
                "report",
                "signal_external",
                workflow_id="{input.parent}",
                signal="failed",
                workflow="parent",
                args={"name": "input.name"},
            ),
            node("boom", "fail", message="child {input.name} failed", error_type="StepFailed"),
            node("which", "condition", expression="input.slow"),
            node("long_nap", "timer", duration="10s"),
            node("nap", "timer", duration="0.4s"),
            node("slow_done", "end", value="input.name"),
            node("done", "end", value="input.name"),
        ],
        "edges": [
            edge("start", "broken"),
            edge("broken", "report", "true"),
            edge("report", "boom"),
            edge("broken", "which", "false"),
            edge("which", "long_nap", "true"),
            edge("long_nap", "slow_done"),
            edge("which", "nap", "false"),
            edge("nap", "done"),
        ],
    }


def parent_workflow(limit: int, **spawn: Any) -> dict[str, Any]:
    """`parent`: spawns one `step` per task of its input; `raise_limit` sets `state.limit`,
    `failed` records a child's failure in `state.failures`."""
    config: dict[str, Any] = {
        "workflow": "step",
        "items": "input.tasks",
        "key": "item.name",
        "args": {
            "name": "item.name",
            "fail": FAILS,
            "slow": "item.slow",
            "parent": "input.run",
        },
        "id_template": "{input.run}-{item.name}",
        "depends_on": "item.deps",
        "result": "outcome",
        **spawn,
    }
    return {
        "id": "parent",
        "name": "parent",
        "input": {"run": "str", "tasks": "list[Task]"},
        "output": "dict[str, Any]",
        "state": [
            {"name": "limit", "type": "int", "default": limit},
            {"name": "failures", "type": "list[str]", "default": []},
        ],
        "nodes": [
            node("start", "start"),
            node("spawn", "spawn_children", label="spawn steps", **config),
            node("finish", "end", value="outcome"),
            node("raise", "signal", name="raise_limit", params={"limit": "int"}),
            node(
                "set_limit",
                "set_state",
                assignments=[{"target": "state.limit", "value": "payload.limit"}],
            ),
            node("failed", "signal", name="failed", params={"name": "str"}),
            node(
                "count_failure",
                "set_state",
                assignments=[
                    {"target": "state.failures", "value": "state.failures + [payload.name]"}
                ],
            ),
            node("failures", "query", name="failures", value="state.failures", returns="list[str]"),
        ],
        "edges": chain("start", "spawn", "finish")
        + chain("raise", "set_limit")
        + chain("failed", "count_failure"),
    }


def spawn_project(prefix: str, limit: int = 2, **spawn: Any) -> dict[str, Any]:
    return project(
        unique_id(prefix),
        [parent_workflow(limit, **spawn), child_workflow()],
        types={
            "Task": {
                "fields": {"name": "str", "deps": "list[str]", "fail_times": "int", "slow": "bool"}
            }
        },
    )


# running it


async def start_parent(
    client: Client, task_queue: str, models: Any, tasks: list[dict[str, Any]]
) -> tuple[WorkflowHandle[Any, Any], str]:
    run = unique_id("spawn")
    arg = models.ParentInput(run=run, tasks=[models.Task(**t) for t in tasks])
    handle = await client.start_workflow(
        "parent", arg, id=run, task_queue=task_queue, execution_timeout=RUN_TIMEOUT
    )
    return handle, run


async def history(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    return list((await handle.fetch_history()).events)


def child_ids_by_event(found: list[HistoryEvent]) -> dict[int, str]:
    """The child workflow id of every initiated event, by event id."""
    return {
        event.event_id: event.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for event in found
        if event.event_type == INITIATED
    }


def child_of(event: HistoryEvent, initiated: dict[int, str]) -> str:
    """The child id a closing event belongs to (each closing event names its initiated event)."""
    for name in (
        "child_workflow_execution_completed_event_attributes",
        "child_workflow_execution_failed_event_attributes",
        "child_workflow_execution_canceled_event_attributes",
        "child_workflow_execution_timed_out_event_attributes",
        "child_workflow_execution_terminated_event_attributes",
        "start_child_workflow_execution_failed_event_attributes",
    ):
        if event.HasField(name):
            return initiated[getattr(event, name).initiated_event_id]
    raise AssertionError(f"not a child closing event: {event.event_type}")


def in_flight(found: list[HistoryEvent]) -> list[int]:
    """Children initiated and not yet closed, after each event of the history, in order."""
    initiated = child_ids_by_event(found)
    running: set[str] = set()
    counts = []
    for event in found:
        if event.event_type == INITIATED:
            running.add(initiated[event.event_id])
        elif event.event_type in CHILD_CLOSED:
            running.discard(child_of(event, initiated))
        counts.append(len(running))
    return counts


def initiations(found: list[HistoryEvent]) -> list[str]:
    """The child ids the parent initiated, in history order (a retried child repeats)."""
    return [
        event.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for event in found
        if event.event_type == INITIATED
    ]


async def describe_child(client: Client, child_id: str) -> WorkflowExecutionDescription | None:
    """The child's latest execution, or None when it never existed."""
    try:
        return await client.get_workflow_handle(child_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def wait_for(check: Any, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.05)
    return bool(await check())


async def failure_of(handle: WorkflowHandle[Any, Any]) -> BaseException:
    with pytest.raises(WorkflowFailureError) as raised:
        await handle.result()
    assert raised.value.cause is not None
    return raised.value.cause


# dependency order, limit and a limit raised mid-run

DAG = [
    task("a"),
    task("b"),
    task("c"),
    task("d"),
    task("e", ["a"]),
    task("f", ["a", "b"]),
    task("g", ["c"]),
    task("h", ["d"]),
    task("i", ["e", "f"]),
    task("j", ["g"]),
    task("k", ["h"]),
    task("l", ["i", "j", "k"]),
]


async def test_dag_waits_for_dependencies_keeps_the_limit_and_follows_a_raised_limit(
    client: Client, package_dir: Path
) -> None:
    document = spawn_project("spawn-dag", limit=2, concurrency_from="state.limit")
    modules = import_package(document, package_dir)
    models = modules["models"]
    async with running_worker(client, modules) as task_queue:
        handle, run = await start_parent(client, task_queue, models, DAG)

        async def two_completed() -> bool:
            done = [e for e in await history(handle) if e.event_type == CHILD_COMPLETED]
            return len(done) >= 2

        assert await wait_for(two_completed)
        await handle.signal("raise_limit", models.ParentRaiseLimitSignal(limit=4))
        outcome = await handle.result()
        found = await history(handle)
        described = {t["name"]: await describe_child(client, f"{run}-{t['name']}") for t in DAG}

    names = [t["name"] for t in DAG]
    assert outcome == {"completed": {n: n for n in names}, "failed": {}, "skipped": []}

    # every child ran exactly once, and completed
    assert sorted(initiations(found)) == sorted(f"{run}-{n}" for n in names)
    children = {name: d for name, d in described.items() if d is not None}
    assert sorted(children) == sorted(names)
    for name, description in children.items():
        assert description.status == WorkflowExecutionStatus.COMPLETED, name

    # no child was initiated before each of its dependencies had completed (history order) ...
    initiated = child_ids_by_event(found)
    position = {initiated[e.event_id]: i for i, e in enumerate(found) if e.event_type == INITIATED}
    closed = {
        child_of(e, initiated): i for i, e in enumerate(found) if e.event_type == CHILD_COMPLETED
    }
    for t in DAG:
        for dep in t["deps"]:
            assert closed[f"{run}-{dep}"] < position[f"{run}-{t['name']}"], (t["name"], dep)
    # ... nor started, by the children's own clocks, before its dependencies had closed
    for t in DAG:
        started = children[t["name"]].start_time
        for dep in t["deps"]:
            dep_closed = children[dep].close_time
            assert dep_closed is not None and started >= dep_closed, (t["name"], dep)

    # the limit: at most 2 in flight until the signal, at most 4 after it, and 4 were used
    counts = in_flight(found)
    signal_at = next(i for i, e in enumerate(found) if e.event_type == SIGNALED)
    assert max(counts[:signal_at]) == 2
    assert max(counts[signal_at:]) == 4
    # the same from the children's own start and close times
    assert most_overlapping(children.values()) <= 4
    signal_time = found[signal_at].event_time.ToDatetime(tzinfo=UTC)
    before = [d for d in children.values() if d.start_time < signal_time]
    assert most_overlapping(before) <= 2


def most_overlapping(descriptions: Iterable[WorkflowExecutionDescription]) -> int:
    """Executions running at once, from their start and close times (touching ones do not)."""
    marks: list[tuple[datetime, int]] = []
    for description in descriptions:
        assert description.close_time is not None
        marks.append((description.start_time, 1))
        marks.append((description.close_time, -1))
    marks.sort(key=lambda mark: (mark[0], mark[1]))
    running = highest = 0
    for _, change in marks:
        running += change
        highest = max(highest, running)
    return highest


# failure policies


async def test_fail_fast_fails_the_parent_and_cancels_the_rest(
    client: Client, package_dir: Path
) -> None:
    document = spawn_project("spawn-fast", concurrency=3, failure_policy="fail_fast")
    modules = import_package(document, package_dir)
    tasks = [
        task("slow1", slow=True),
        task("slow2", slow=True),
        task("bad", fail_times=99),
        task("later1"),
        task("later2", ["slow1"]),
    ]
    async with running_worker(client, modules) as task_queue:
        began = time.monotonic()
        handle, run = await start_parent(client, task_queue, modules["models"], tasks)
        cause = await failure_of(handle)
        failed_after = time.monotonic() - began

        async def slow_ones_cancelled() -> bool:
            found = [await describe_child(client, f"{run}-slow{n}") for n in (1, 2)]
            return all(
                d is not None and d.status == WorkflowExecutionStatus.CANCELED for d in found
            )

        cancelled = await wait_for(slow_ones_cancelled)
        slow = [await describe_child(client, f"{run}-slow{n}") for n in (1, 2)]
        bad = await describe_child(client, f"{run}-bad")
        later = [await describe_child(client, f"{run}-later{n}") for n in (1, 2)]
        found = await history(handle)

    # the parent failed with the child's failure, at once, not after the 10 s children
    assert isinstance(cause, ChildWorkflowError)
    assert isinstance(cause.cause, ApplicationError)
    assert cause.cause.type == "StepFailed"
    assert cause.cause.message == "child bad failed"
    assert failed_after < 8
    # the running children were cancelled, the waiting ones never started
    assert cancelled, [d.status if d else None for d in slow]
    assert bad is not None and bad.status == WorkflowExecutionStatus.FAILED
    assert later == [None, None]
    assert sorted(initiations(found)) == sorted(f"{run}-{n}" for n in ("slow1", "slow2", "bad"))


async def test_continue_records_failures_and_skips_dependents(
    client: Client, package_dir: Path
) -> None:
    document = spawn_project("spawn-continue", concurrency=2, failure_policy="continue")
    modules = import_package(document, package_dir)
    tasks = [
        task("a", fail_times=99),
        task("b", ["a"]),
        task("c", ["b"]),
        task("d"),
        task("e", ["d"]),
        task("f", ["d", "c"]),
    ]
    async with running_worker(client, modules) as task_queue:
        handle, run = await start_parent(client, task_queue, modules["models"], tasks)
        outcome = await handle.result()
        finished_progress = await handle.query("spawn_progress")
        found = await history(handle)
        never = [await describe_child(client, f"{run}-{n}") for n in ("b", "c", "f")]
        ran = {n: await describe_child(client, f"{run}-{n}") for n in ("a", "d", "e")}

    assert outcome["completed"] == {"d": "d", "e": "e"}
    assert finished_progress == [], "a finished step is no longer listed as under way"
    assert list(outcome["failed"]) == ["a"]
    assert outcome["failed"]["a"] == "child a failed"
    # b waits on the failed a, c on the skipped b, f on the skipped c: all skipped, transitively
    assert sorted(outcome["skipped"]) == ["b", "c", "f"]
    assert never == [None, None, None]
    assert sorted(initiations(found)) == sorted(f"{run}-{n}" for n in ("a", "d", "e"))
    assert ran["a"] is not None and ran["a"].status == WorkflowExecutionStatus.FAILED
    for name in ("d", "e"):
        description = ran[name]
        assert description is not None and description.status == WorkflowExecutionStatus.COMPLETED


async def test_progress_lists_each_child_while_the_step_runs(
    client: Client, package_dir: Path
) -> None:
    document = spawn_project("spawn-progress", concurrency=2, failure_policy="continue")
    modules = import_package(document, package_dir)
    tasks = [
        task("a", fail_times=99),
        task("b", ["a"]),
        task("c", slow=True),
        task("d", ["c"]),
        task("e"),
    ]
    async with running_worker(client, modules) as task_queue:
        handle, _run = await start_parent(client, task_queue, modules["models"], tasks)

        async def settled() -> bool:
            progress = await handle.query("spawn_progress")
            return bool(progress) and progress[0]["completed"] == ["e"]

        assert await wait_for(settled)
        progress = await handle.query("spawn_progress")
        await handle.terminate("seen enough")
    assert progress == [
        {
            "node": "spawn",
            "waiting": ["d"],
            "running": ["c"],
            "completed": ["e"],
            "failed": {"a": "child a failed"},
            "skipped": ["b"],
        }
    ]


async def test_retry_runs_a_failed_child_again_until_it_succeeds_or_retries_run_out(
    client: Client, package_dir: Path
) -> None:
    document = spawn_project("spawn-retry", concurrency=3, failure_policy="retry", retries=2)
    modules = import_package(document, package_dir)
    tasks = [
        task("flaky", fail_times=2),
        task("doomed", fail_times=99),
        task("steady"),
        task("after_flaky", ["flaky"]),
        task("after_doomed", ["doomed"]),
    ]
    async with running_worker(client, modules) as task_queue:
        handle, run = await start_parent(client, task_queue, modules["models"], tasks)
        outcome = await handle.result()
        failures = await handle.query("failures")
        found = await history(handle)
        flaky = await describe_child(client, f"{run}-flaky")

    # flaky failed on its first two runs and succeeded on the third (1 + 2 retries)
    assert outcome["completed"] == {
        "flaky": "flaky",
        "steady": "steady",
        "after_flaky": "after_flaky",
    }
    assert flaky is not None and flaky.status == WorkflowExecutionStatus.COMPLETED
    # doomed used up its retries and was recorded; what waited on it was skipped
    assert list(outcome["failed"]) == ["doomed"]
    assert outcome["failed"]["doomed"] == "child doomed failed"
    assert outcome["skipped"] == ["after_doomed"]
    assert sorted(failures) == ["doomed"] * 3 + ["flaky"] * 2
    started = initiations(found)
    assert {
        n: started.count(f"{run}-{n}") for n in ("flaky", "doomed", "steady", "after_flaky")
    } == {
        "flaky": 3,
        "doomed": 3,
        "steady": 1,
        "after_flaky": 1,
    }
    assert f"{run}-after_doomed" not in started
    # the dependent started only after flaky's last (successful) run
    last_flaky = max(i for i, child in enumerate(started) if child == f"{run}-flaky")
    assert started.index(f"{run}-after_flaky") > last_flaky


# dependency cycles


async def test_cycle_in_runtime_items_fails_with_dependency_cycle(
    client: Client, package_dir: Path
) -> None:
    document = spawn_project("spawn-cycle", concurrency=2)
    modules = import_package(document, package_dir)
    tasks = [
        task("x", ["z"]),
        task("y", ["x"]),
        task("z", ["y"]),
        task("free"),
        task("w", ["free"]),
    ]
    async with running_worker(client, modules) as task_queue:
        handle, run = await start_parent(client, task_queue, modules["models"], tasks)
        cause = await failure_of(handle)
        found = await history(handle)

    assert isinstance(cause, ApplicationError)
    assert cause.type == "DependencyCycle"
    assert cause.non_retryable
    # the message names the node and exactly the items stuck in the cycle
    assert cause.message.startswith("spawn steps: ")
    assert "wait on each other" in cause.message
    assert cause.message.endswith(": x, y, z")
    # what could run ran first; the cycle never started
    assert sorted(initiations(found)) == [f"{run}-free", f"{run}-w"]


def test_cycle_in_constant_items_is_a_compile_diagnostic() -> None:
    def document(items: str) -> dict[str, Any]:
        return project(
            unique_id("spawn-static"),
            [
                parent_workflow(
                    2,
                    items=items,
                    key="item['name']",
                    depends_on="item['deps']",
                    # constant items are dicts: read them by key
                    args={
                        "name": "item['name']",
                        "fail": FAILS.replace("item.name", "item['name']").replace(
                            "item.fail_times", "item['fail_times']"
                        ),
                        "slow": "item['slow']",
                        "parent": "input.run",
                    },
                    id_template="{input.run}-{item['name']}",
                ),
                child_workflow(),
            ],
            types={
                "Task": {
                    "fields": {
                        "name": "str",
                        "deps": "list[str]",
                        "fail_times": "int",
                        "slow": "bool",
                    }
                }
            },
        )

    circular = (
        "[{'name': 'a', 'deps': ['c'], 'fail_times': 0, 'slow': False},"
        " {'name': 'b', 'deps': ['a'], 'fail_times': 0, 'slow': False},"
        " {'name': 'c', 'deps': ['b'], 'fail_times': 0, 'slow': False},"
        " {'name': 'd', 'deps': [], 'fail_times': 0, 'slow': False}]"
    )
    result = compile_project(document(circular))
    cycles = [d for d in result.diagnostics if d.code == "E110"]
    assert not result.ok
    assert len(cycles) == 1
    assert cycles[0].node_id == "spawn"
    assert cycles[0].field == "config.depends_on"
    assert cycles[0].workflow_id == "parent"
    assert all(f"'{name}'" in cycles[0].message for name in "abc")
    assert "'d'" not in cycles[0].message

    # the same items without the back edge compile cleanly
    acyclic = circular.replace("'deps': ['c']", "'deps': []")
    clean = compile_project(document(acyclic))
    assert clean.ok, [d.format() for d in clean.diagnostics]
    assert not [d for d in clean.diagnostics if d.code == "E110"]


async def test_a_child_whose_workflow_id_is_taken_is_recorded_as_failed(
    client: Client, package_dir: Path
) -> None:
    document = spawn_project("spawn-taken", concurrency=2, failure_policy="continue")
    modules = import_package(document, package_dir)
    models = modules["models"]
    run = unique_id("spawn")
    async with running_worker(client, modules) as task_queue:
        # someone started x's workflow by hand, under the id the step gives it
        squatter = await client.start_workflow(
            "step",
            models.StepInput(name="x", fail=False, slow=True, parent=run),
            id=f"{run}-x",
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
        )
        arg = models.ParentInput(
            run=run, tasks=[models.Task(**task("x")), models.Task(**task("y"))]
        )
        handle = await client.start_workflow(
            "parent", arg, id=run, task_queue=task_queue, execution_timeout=RUN_TIMEOUT
        )
        outcome = await handle.result()
        await squatter.terminate("test over")

    assert outcome["completed"] == {"y": "y"}
    assert list(outcome["failed"]) == ["x"]
    assert "already started" in outcome["failed"]["x"]


# a fan-out with no dependencies, a fixed limit and no retries: a bounded gather


def simple_package(prefix: str, package_dir: Path, **spawn: Any) -> dict[str, Any]:
    document = spawn_project(prefix, concurrency=2, depends_on=None, **spawn)
    modules = import_package(document, package_dir)
    source = Path(modules["package"].__file__ or "").parent / "workflows" / "parent.py"
    code = source.read_text() if source.exists() else ""
    assert "asyncio.gather(" in code and "spawn_progress" not in code, "the simple form"
    return modules


async def test_a_simple_fan_out_keeps_the_limit_and_returns_every_result(
    client: Client, package_dir: Path
) -> None:
    modules = simple_package("spawn-simple", package_dir)
    names = ["a", "b", "c", "d", "e"]
    async with running_worker(client, modules) as task_queue:
        handle, run = await start_parent(
            client, task_queue, modules["models"], [task(n) for n in names]
        )
        outcome = await handle.result()
        found = await history(handle)
        children = [await describe_child(client, f"{run}-{n}") for n in names]

    assert outcome == {"completed": {n: n for n in names}, "failed": {}, "skipped": []}
    assert sorted(initiations(found)) == sorted(f"{run}-{n}" for n in names)
    assert max(in_flight(found)) == 2
    assert most_overlapping(d for d in children if d is not None) <= 2


async def test_a_simple_fail_fast_fan_out_fails_at_once_and_cancels_the_rest(
    client: Client, package_dir: Path
) -> None:
    modules = simple_package("spawn-simple-fast", package_dir, failure_policy="fail_fast")
    tasks = [task("slow1", slow=True), task("bad", fail_times=99), task("later")]
    async with running_worker(client, modules) as task_queue:
        began = time.monotonic()
        handle, run = await start_parent(client, task_queue, modules["models"], tasks)
        cause = await failure_of(handle)
        failed_after = time.monotonic() - began

        async def slow_one_cancelled() -> bool:
            found = await describe_child(client, f"{run}-slow1")
            return found is not None and found.status == WorkflowExecutionStatus.CANCELED

        cancelled = await wait_for(slow_one_cancelled)
        later = await describe_child(client, f"{run}-later")

    assert isinstance(cause, ChildWorkflowError)
    assert isinstance(cause.cause, ApplicationError) and cause.cause.type == "StepFailed"
    assert failed_after < 8, "not after the 10 s child"
    assert cancelled
    # the limit of 2 held `later` back, and the failure cancelled it before it started
    assert later is None


async def test_a_simple_continue_fan_out_records_failures_and_finishes_the_rest(
    client: Client, package_dir: Path
) -> None:
    modules = simple_package("spawn-simple-go-on", package_dir, failure_policy="continue")
    tasks = [task("a", fail_times=99), task("b"), task("c")]
    async with running_worker(client, modules) as task_queue:
        handle, _ = await start_parent(client, task_queue, modules["models"], tasks)
        outcome = await handle.result()

    assert outcome == {
        "completed": {"b": "b", "c": "c"},
        "failed": {"a": "child a failed"},
        "skipped": [],
    }

"""`work_queue` on the real dev server: every item exactly once across several continue-as-new,
statistics that add up, pause and resume, drain, emergency stop, retries with backoff and
items that give up.

The proofs come from what Temporal recorded: the histories of every run of the consumer (the
children each run initiated, the activities it scheduled, the signals it got), the children's
own executions and the progress record the consumer answers through a query.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.service import RPCError, RPCStatusCode

from tests.support.harness import (
    chain,
    edge,
    import_package,
    node,
    project,
    running_worker,
    unique_id,
)

# among the longest files: started first, so that no worker is left with one at the end
pytestmark = pytest.mark.long

RUN_TIMEOUT = timedelta(seconds=60)
"""A broken consumer fails its test after this long instead of hanging the session."""

INITIATED = EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
CHILD_FAILED = EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED
SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
CONTINUED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
CHILD_STARTED = EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED
CHILD_COMPLETED = EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED
ACTIVITY_COMPLETED = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
ACTIVITY_FAILED = EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
CANCEL_REQUESTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED
CANCEL_SENT = EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED
AWAIT = "wfd.await_workflow"


# the project


def simulated(
    name: str, inputs: dict[str, str], output: str, result: Any, delay: float = 0.0
) -> dict[str, Any]:
    return {
        "name": name,
        "input": inputs,
        "output": output,
        "implementation": {"kind": "simulate", "result": result, "delay_seconds": delay},
    }


def job_workflow() -> dict[str, Any]:
    """`job`: an item named `...flaky...` fails on its first two attempts, `...doomed...` always
    fails, `...slow...` takes 1 s and `...long...` 30 s; any other runs the `work` activity,
    `...steady...` after 5 s."""
    return {
        "id": "job",
        "name": "job",
        "input": {"name": "str", "attempt": "int"},
        "output": "str",
        "state": [],
        "nodes": [
            node("start", "start"),
            node("flaky", "condition", expression="'flaky' in input.name and input.attempt < 3"),
            node("flaky_fails", "fail", message="{input.name} attempt {input.attempt} failed"),
            node("doomed", "condition", expression="'doomed' in input.name"),
            node("doomed_fails", "fail", message="{input.name} failed for good"),
            node("slow", "condition", expression="'slow' in input.name"),
            node("nap", "timer", duration="1s"),
            node("slow_done", "end", value="'slept ' + input.name"),
            node("long", "condition", expression="'long' in input.name"),
            node("long_nap", "timer", duration="30s"),
            node("long_done", "end", value="'slept long ' + input.name"),
            node("steady", "condition", expression="'steady' in input.name"),
            node("steady_nap", "timer", duration="5s"),
            node("work", "activity", activity="work", args={"name": "input.name"}, result="out"),
            node("done", "end", value="out"),
        ],
        "edges": [
            edge("start", "flaky"),
            edge("flaky", "flaky_fails", "true"),
            edge("flaky", "doomed", "false"),
            edge("doomed", "doomed_fails", "true"),
            edge("doomed", "slow", "false"),
            edge("slow", "nap", "true"),
            edge("nap", "slow_done"),
            edge("slow", "long", "false"),
            edge("long", "long_nap", "true"),
            edge("long_nap", "long_done"),
            edge("long", "steady", "false"),
            edge("steady", "steady_nap", "true"),
            edge("steady_nap", "work"),
            edge("steady", "work", "false"),
            edge("work", "done"),
        ],
    }


def consumer_workflow(**queue: Any) -> dict[str, Any]:
    """`consumer`: a work queue fed by `push`, steered by `pause`, `resume`, `drain` and `stop`;
    returns how many items completed; `progress` and `queue` are queries."""
    config: dict[str, Any] = {
        "queue": "queue",
        "workflow": "job",
        "key": "item",
        "args": {"name": "item", "attempt": "state.progress.attempts[item]"},
        "id_template": "job-{item}",
        "paused_when": "state.paused",
        "drain_when": "state.draining",
        "stop_when": "state.stop",
        "on_done": {"activity": "record", "args": {"name": "item", "value": "result"}},
        "on_failed": {"activity": "give_up", "args": {"name": "item", "error": "error"}},
        **queue,
    }

    def flag(name: str, field: str, value: str) -> list[dict[str, Any]]:
        return [
            node(name, "signal", name=name),
            node(f"set_{name}", "set_state", assignments=[{"target": field, "value": value}]),
        ]

    return {
        "id": "consumer",
        "name": "consumer",
        "input": {},
        "output": "int",
        "state": [
            {"name": "queue", "type": "list[str]", "default": []},
            {"name": "paused", "type": "bool", "default": False},
            {"name": "draining", "type": "bool", "default": False},
            {"name": "stop", "type": "bool", "default": False},
        ],
        "nodes": [
            node("start", "start"),
            node("consume", "work_queue", label="consume jobs", **config),
            node("finish", "end", value="state.progress.completed"),
            node("push", "signal", name="push", params={"items": "list[str]"}),
            node(
                "store",
                "set_state",
                assignments=[{"target": "state.queue", "value": "state.queue + payload.items"}],
            ),
            *flag("pause", "state.paused", "True"),
            *flag("resume", "state.paused", "False"),
            *flag("drain", "state.draining", "True"),
            *flag("stop", "state.stop", "True"),
            node("progress", "query", name="progress", value="state.progress"),
            node("waiting", "query", name="queue", value="state.queue", returns="list[str]"),
        ],
        "edges": chain("start", "consume", "finish")
        + chain("push", "store")
        + [edge(name, f"set_{name}") for name in ("pause", "resume", "drain", "stop")],
    }


def queue_project(prefix: str, hook_delay: float = 0.0, **queue: Any) -> dict[str, Any]:
    """The consumer and its `job` children; `record` (on_done) takes `hook_delay` seconds."""
    return project(
        unique_id(prefix),
        [consumer_workflow(**queue), job_workflow()],
        activities=[
            simulated("work", {"name": "str"}, "str", "did {name}", delay=0.2),
            simulated("record", {"name": "str", "value": "str"}, "None", None, hook_delay),
            simulated("give_up", {"name": "str", "error": "str"}, "None", None),
            {
                **simulated("broken_record", {"name": "str", "broken": "bool"}, "None", None),
                "implementation": {
                    "kind": "simulate",
                    "fail_when": {"broken": True},
                    "fail_message": "the status service rejected {name}",
                },
            },
        ],
    )


# running it


async def start_consumer(client: Client, task_queue: str, models: Any) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        "consumer",
        models.ConsumerInput(),
        id=unique_id("consumer"),
        task_queue=task_queue,
        execution_timeout=RUN_TIMEOUT,
    )


async def progress(handle: WorkflowHandle[Any, Any]) -> SimpleNamespace:
    """The consumer's progress record, its fields as attributes."""
    record = await handle.query("progress")
    assert isinstance(record, dict), record
    return SimpleNamespace(**record)


async def until(
    read: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], timeout: float = 20.0
) -> Any:
    """Reads until `done(value)` holds (the test fails when the time is up); returns the value."""
    deadline = time.monotonic() + timeout
    value = await read()
    while not done(value):
        assert time.monotonic() < deadline, f"still {value!r} after {timeout} s"
        await asyncio.sleep(0.05)
        value = await read()
    return value


async def all_runs(client: Client, handle: WorkflowHandle[Any, Any]) -> list[list[HistoryEvent]]:
    """The history of every run of the workflow, first to last, following the continue-as-new
    chain from the first run."""
    runs = []
    run_id: str | None = handle.first_execution_run_id
    while run_id:
        found = list(
            (await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()).events
        )
        runs.append(found)
        last = found[-1]
        run_id = (
            last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            if last.event_type == CONTINUED
            else None
        )
    return runs


def of_type(found: list[HistoryEvent], event_type: int) -> list[HistoryEvent]:
    return [event for event in found if event.event_type == event_type]


def initiated_ids(found: list[HistoryEvent]) -> list[str]:
    return [
        e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for e in of_type(found, INITIATED)
    ]


def decode(client: Client, payload: Payload) -> Any:
    return client.data_converter.payload_converter.from_payload(payload)


def activity_calls(client: Client, found: list[HistoryEvent], name: str) -> list[Any]:
    """The inputs (as dicts) of the activities of one type the workflow scheduled, in order."""
    return [
        decode(client, e.activity_task_scheduled_event_attributes.input.payloads[0])
        for e in of_type(found, SCHEDULED)
        if e.activity_task_scheduled_event_attributes.activity_type.name == name
    ]


async def describe(client: Client, workflow_id: str) -> WorkflowExecutionDescription | None:
    try:
        return await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def history_so_far(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    return list((await handle.fetch_history()).events)


async def cancel_requests(client: Client, workflow_id: str) -> int:
    """How many times the workflow was asked to cancel."""
    found = list((await client.get_workflow_handle(workflow_id).fetch_history()).events)
    return len(of_type(found, CANCEL_REQUESTED))


def cancels_sent(found: list[HistoryEvent]) -> Counter[str]:
    """How many cancellation requests the workflow sent to each workflow id."""
    return Counter(
        e.request_cancel_external_workflow_execution_initiated_event_attributes.workflow_execution.workflow_id
        for e in of_type(found, CANCEL_SENT)
    )


def is_signal(event: HistoryEvent, name: str) -> bool:
    return event.workflow_execution_signaled_event_attributes.signal_name == name


def completions(found: list[HistoryEvent]) -> int:
    """Children seen to complete: directly, or by following one an earlier run started."""
    follows = {
        e.event_id
        for e in of_type(found, SCHEDULED)
        if e.activity_task_scheduled_event_attributes.activity_type.name == AWAIT
    }
    followed = [
        e
        for e in of_type(found, ACTIVITY_COMPLETED)
        if e.activity_task_completed_event_attributes.scheduled_event_id in follows
    ]
    return len(of_type(found, CHILD_COMPLETED)) + len(followed)


def adds_up(stats: Any) -> bool:
    """Every start ended in exactly one of: completed, failed, retried, or is still running."""
    return bool(
        stats.started == stats.completed + stats.failed + stats.retried + len(stats.running)
    )


# every item exactly once across continue-as-new


async def test_fifty_items_each_processed_once_across_continue_as_new(
    client: Client, package_dir: Path
) -> None:
    document = queue_project("wq-many", concurrency=5, history_limit=150)
    modules = import_package(document, package_dir)
    models = modules["models"]
    run = unique_id("many")
    # a continue-as-new takes a second or so (see work_queue.jinja): some children outlast it
    items = [f"{run}-{n:02d}" + ("-steady" if n % 10 == 5 else "") for n in range(50)]
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        for first in range(0, 50, 10):
            await handle.signal("push", models.ConsumerPushSignal(items=items[first : first + 10]))
        stats = await until(lambda: progress(handle), lambda p: p.completed >= 50, timeout=60)
        await handle.signal("drain")
        result = await handle.result()
        final = await handle.describe()
        runs = await all_runs(client, handle)
        children = {item: await describe(client, f"job-{item}") for item in items}

        async def listed() -> list[str]:
            query = f'WorkflowType = "job" AND WorkflowId STARTS_WITH "job-{run}-"'
            return [execution.id async for execution in client.list_workflows(query)]

        executions = await until(listed, lambda found: len(found) >= 50)

    assert result == 50
    # at least two continue-as-new: the progress says so, the run id changed, the chain agrees
    assert stats.continued_as_new >= 2
    assert final.run_id != handle.first_execution_run_id
    assert len(runs) == stats.continued_as_new + 1
    assert all(of_type(found, CONTINUED) for found in runs[:-1])
    # every child was initiated exactly once over all runs, ran once and completed
    started = Counter(child for found in runs for child in initiated_ids(found))
    assert started == Counter(f"job-{item}" for item in items)
    assert sorted(executions) == sorted(f"job-{item}" for item in items)
    for item, description in children.items():
        assert description is not None, item
        assert description.status == WorkflowExecutionStatus.COMPLETED, item
    # children still running at a continue-as-new were followed by the next run, not restarted
    followed = [
        call["workflow_id"]
        for later, found in enumerate(runs)
        for call in activity_calls(client, found, "wfd.await_workflow")
        if later > 0
    ]
    assert followed, "no child was running at a continue-as-new"
    for child in followed:
        assert started[child] == 1
    # on_done ran once per item, with the child's result
    done = [call for found in runs for call in activity_calls(client, found, "record")]
    assert sorted(call["name"] for call in done) == sorted(items)
    assert all(call["value"] == f"did {call['name']}" for call in done)
    assert not [call for found in runs for call in activity_calls(client, found, "give_up")]
    # statistics that add up, and nothing left behind
    assert stats.completed == 50
    assert stats.started == 50
    assert (stats.failed, stats.retried, stats.duplicates) == (0, 0, 0)
    assert adds_up(stats)
    assert (stats.items, stats.running, stats.attempts, stats.retry_at) == ({}, {}, {}, {})
    # the history limit was honoured: no run grew far past it
    assert max(len(found) for found in runs) < 150 + 100


# pause and resume


async def test_pause_stops_new_children_and_resume_continues(
    client: Client, package_dir: Path
) -> None:
    document = queue_project("wq-pause", concurrency=2)
    modules = import_package(document, package_dir)
    models = modules["models"]
    prefix = unique_id("slow")
    items = [f"{prefix}-{n}" for n in range(6)]
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=items))
        await until(lambda: progress(handle), lambda p: p.started >= 2)
        await handle.signal("pause")
        # the children in flight finish; nothing new starts
        paused = await until(lambda: progress(handle), lambda p: not p.running)
        await asyncio.sleep(2.0)
        still = await progress(handle)
        waiting = await handle.query("queue")
        await handle.signal("resume")
        resumed = await until(lambda: progress(handle), lambda p: p.completed == 6)
        await handle.signal("drain")
        result = await handle.result()
        found = list((await handle.fetch_history()).events)

    names = [
        e.workflow_execution_signaled_event_attributes.signal_name
        for e in found
        if e.event_type == SIGNALED
    ]
    assert names == ["push", "pause", "resume", "drain"]
    position = {
        e.workflow_execution_signaled_event_attributes.signal_name: i
        for i, e in enumerate(found)
        if e.event_type == SIGNALED
    }
    between = [
        e for e in found[position["pause"] : position["resume"]] if e.event_type == INITIATED
    ]
    # while paused: no child initiated, running stayed empty, the rest waited in the queue
    assert between == []
    assert paused.started == still.started == still.completed
    assert still.running == {}
    assert 2 <= still.started < 6
    assert waiting == items[still.started :]
    # resumed: the rest ran, each once
    assert resumed.completed == resumed.started == 6
    assert adds_up(resumed)
    assert result == 6
    assert Counter(initiated_ids(found)) == Counter(f"job-{item}" for item in items)


# drain


async def test_drain_lets_running_children_finish_and_leaves_the_queue(
    client: Client, package_dir: Path
) -> None:
    document = queue_project("wq-drain", concurrency=2)
    modules = import_package(document, package_dir)
    models = modules["models"]
    prefix = unique_id("slow")
    items = [f"{prefix}-{n}" for n in range(6)]
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=items))
        before = await until(lambda: progress(handle), lambda p: len(p.running) == 2)
        await handle.signal("drain")
        result = await handle.result()
        after = await progress(handle)
        left = await handle.query("queue")
        found = list((await handle.fetch_history()).events)
        first_two = [await describe(client, f"job-{item}") for item in items[:2]]
        others = [await describe(client, f"job-{item}") for item in items[2:]]

    # the two running children finished; the workflow returned from the node after the queue
    assert sorted(before.running) == items[:2]
    assert result == 2
    assert (after.started, after.completed, after.running) == (2, 2, {})
    for description in first_two:
        assert description is not None
        assert description.status == WorkflowExecutionStatus.COMPLETED
    # the rest were not taken: still queued, never started
    assert left == items[2:]
    assert others == [None] * 4
    assert initiated_ids(found) == [f"job-{item}" for item in items[:2]]
    assert len(activity_calls(client, found, "record")) == 2


# emergency stop


async def test_emergency_stop_cancels_running_children_and_fails(
    client: Client, package_dir: Path
) -> None:
    document = queue_project("wq-stop", concurrency=3)
    modules = import_package(document, package_dir)
    models = modules["models"]
    prefix = unique_id("long")
    items = [f"{prefix}-{n}" for n in range(5)]
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=items))
        before = await until(lambda: progress(handle), lambda p: len(p.running) == 3)

        async def running_children() -> list[WorkflowExecutionStatus | None]:
            found = [await describe(client, f"job-{item}") for item in items[:3]]
            return [d.status if d else None for d in found]

        await until(running_children, lambda s: s == [WorkflowExecutionStatus.RUNNING] * 3)
        began = time.monotonic()
        await handle.signal("stop")
        with pytest.raises(WorkflowFailureError) as raised:
            await handle.result()
        stopped_after = time.monotonic() - began
        cancelled = await until(
            running_children, lambda s: s == [WorkflowExecutionStatus.CANCELED] * 3
        )
        never = [await describe(client, f"job-{item}") for item in items[3:]]
        found = list((await handle.fetch_history()).events)

    assert sorted(before.running) == items[:3]
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "EmergencyStop"
    assert cause.non_retryable
    assert cause.message == "consume jobs: emergency stop; cancelled 3 running children"
    # well before the 30 s children would have ended on their own
    assert stopped_after < 15
    assert cancelled == [WorkflowExecutionStatus.CANCELED] * 3
    assert never == [None, None]
    assert initiated_ids(found) == [f"job-{item}" for item in items[:3]]
    assert not activity_calls(client, found, "record")


async def test_a_second_stop_while_children_are_starting_cancels_each_child_once(
    client: Client, package_dir: Path
) -> None:
    document = queue_project("wq-stop-starting", concurrency=20)
    modules = import_package(document, package_dir)
    models = modules["models"]
    prefix = unique_id("long")
    items = [f"{prefix}-{n:02d}" for n in range(20)]
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=items))
        await until(lambda: history_so_far(handle), lambda found: bool(of_type(found, INITIATED)))
        # the stop arrives while the children are being started, and again while it cancels them
        await handle.signal("stop")
        await handle.signal("stop")
        with pytest.raises(WorkflowFailureError) as raised:
            await handle.result()
        found = list((await handle.fetch_history()).events)
        started = initiated_ids(found)

        async def statuses() -> list[WorkflowExecutionStatus | None]:
            found = [await describe(client, child) for child in started]
            return [d.status if d else None for d in found]

        ended = await until(statuses, lambda s: s == [WorkflowExecutionStatus.CANCELED] * 20)
        requests = [await cancel_requests(client, child) for child in started]

    cause = raised.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "EmergencyStop"
    assert cause.message == "consume jobs: emergency stop; cancelled 20 running children"
    assert sorted(started) == [f"job-{item}" for item in items]
    # some start was not confirmed yet when the first stop came
    stop_at = min(e.event_id for e in of_type(found, SIGNALED) if is_signal(e, "stop"))
    assert any(e.event_id > stop_at for e in of_type(found, CHILD_STARTED))
    # every child ended cancelled, asked once
    assert ended == [WorkflowExecutionStatus.CANCELED] * 20
    assert cancels_sent(found) == Counter(started)
    assert requests == [1] * 20


# cancellation


async def test_cancelling_the_queue_cancels_every_child_and_ends_cancelled(
    client: Client, package_dir: Path
) -> None:
    document = queue_project("wq-cancel", concurrency=4, history_limit=50)
    modules = import_package(document, package_dir)
    models = modules["models"]
    prefix = unique_id("long")
    items = [f"{prefix}-{n}" for n in range(4)]
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=items[:3]))
        await until(lambda: progress(handle), lambda p: len(p.running) == 3)

        async def signalled() -> SimpleNamespace:
            await handle.signal("resume")  # changes nothing; grows the history
            return await progress(handle)

        # past 50 events the queue continues as new: the next run follows the three children
        await until(signalled, lambda p: p.continued_as_new == 1, timeout=60)
        # and starts a fourth itself
        await handle.signal("push", models.ConsumerPushSignal(items=items[3:]))

        async def statuses() -> list[WorkflowExecutionStatus | None]:
            found = [await describe(client, f"job-{item}") for item in items]
            return [d.status if d else None for d in found]

        await until(statuses, lambda s: s == [WorkflowExecutionStatus.RUNNING] * 4)
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as raised:
            await handle.result()
        ended = await until(statuses, lambda s: s == [WorkflowExecutionStatus.CANCELED] * 4)
        final = await handle.describe()
        runs = await all_runs(client, handle)
        requests = [await cancel_requests(client, f"job-{item}") for item in items]

    assert isinstance(raised.value.cause, CancelledError)
    assert final.status == WorkflowExecutionStatus.CANCELED
    assert len(runs) == 2
    followed = [call["workflow_id"] for call in activity_calls(client, runs[1], AWAIT)]
    assert followed == [f"job-{item}" for item in items[:3]]
    assert initiated_ids(runs[1]) == [f"job-{items[3]}"]
    # every child, started by this run or followed from the one before, ended cancelled, asked once
    assert ended == [WorkflowExecutionStatus.CANCELED] * 4
    assert cancels_sent(runs[1]) == Counter(f"job-{item}" for item in items)
    assert requests == [1] * 4
    assert not activity_calls(client, runs[1], "give_up")


# hooks


async def test_a_failing_hook_is_logged_and_counted_and_the_queue_goes_on(
    client: Client, package_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = {"activity": "broken_record", "args": {"name": "item", "broken": "'bad' in item"}}
    document = queue_project(
        "wq-hook-fails",
        concurrency=2,
        max_attempts=1,
        on_done=broken,
        on_failed={"activity": "broken_record", "args": {"name": "item", "broken": "True"}},
    )
    modules = import_package(document, package_dir)
    models = modules["models"]
    run = unique_id("hooks")
    first = [f"{run}-bad-1", f"{run}-doomed", f"{run}-fine-1", f"{run}-bad-2"]
    later = [f"{run}-fine-2", f"{run}-fine-3"]
    caplog.set_level(logging.ERROR, logger="temporalio.workflow")
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=first))
        await until(lambda: progress(handle), lambda p: p.hook_failures == 3)
        # the queue still takes new items and finishes them
        await handle.signal("push", models.ConsumerPushSignal(items=later))
        stats = await until(lambda: progress(handle), lambda p: p.completed == 5)
        await handle.signal("drain")
        result = await handle.result()
        found = list((await handle.fetch_history()).events)

    assert result == 5
    assert (stats.completed, stats.failed, stats.hook_failures) == (5, 1, 3)
    assert Counter(initiated_ids(found)) == Counter(f"job-{item}" for item in first + later)
    # each hook ran once: a non-retryable failure is not retried, and not fatal
    hooks = activity_calls(client, found, "broken_record")
    assert sorted(call["name"] for call in hooks) == sorted(first + later)
    assert len(of_type(found, ACTIVITY_FAILED)) == 3
    logged = [r.getMessage() for r in caplog.records if "the hook for" in r.getMessage()]
    assert len(logged) == 3, logged
    assert any(f"{run}-doomed" in line and "rejected" in line for line in logged)


async def test_a_slow_hook_does_not_hold_back_the_next_child(
    client: Client, package_dir: Path
) -> None:
    document = queue_project("wq-hook-slow", hook_delay=3.0, concurrency=1)
    modules = import_package(document, package_dir)
    models = modules["models"]
    run = unique_id("slow-hook")
    first, second = f"{run}-1", f"{run}-2"
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=[first, second]))
        await until(lambda: progress(handle), lambda p: p.completed == 2, timeout=60)
        await handle.signal("drain")
        result = await handle.result()
        found = list((await handle.fetch_history()).events)

    assert result == 2
    record = [
        e.event_id
        for e in of_type(found, SCHEDULED)
        if e.activity_task_scheduled_event_attributes.activity_type.name == "record"
    ]
    hook_done = [
        e.event_id
        for e in of_type(found, ACTIVITY_COMPLETED)
        if e.activity_task_completed_event_attributes.scheduled_event_id == record[0]
    ]
    second_started = [
        e.event_id
        for e in of_type(found, INITIATED)
        if e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        == f"job-{second}"
    ]
    # the second child started while the first one's hook was still running
    assert len(record) == 2 and len(hook_done) == 1 and len(second_started) == 1
    assert record[0] < second_started[0] < hook_done[0]


# the state carried by continue-as-new


async def test_every_continue_as_new_carries_what_history_shows(
    client: Client, package_dir: Path
) -> None:
    document = queue_project("wq-carried", concurrency=5, history_limit=50)
    modules = import_package(document, package_dir)
    models = modules["models"]
    run = unique_id("carried")
    items = [f"{run}-{n:02d}" for n in range(40)]
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=items))

        async def chatter() -> None:
            """Signals keep coming while children end: some workflow task holds both."""
            while True:
                await handle.signal("resume")
                await asyncio.sleep(0.02)

        talking = asyncio.create_task(chatter())
        try:
            await until(lambda: progress(handle), lambda p: p.completed == 40, timeout=120)
        finally:
            talking.cancel()
        await handle.signal("drain")
        result = await handle.result()
        runs = await all_runs(client, handle)

    assert result == 40
    assert len(runs) >= 3
    for index in range(1, len(runs)):
        earlier = [event for found in runs[:index] for event in found]
        carried = decode(
            client, runs[index][0].workflow_execution_started_event_attributes.input.payloads[0]
        )["resume_state"]["progress"]
        assert carried["completed"] == completions(earlier), f"run {index + 1}"
        assert carried["continued_as_new"] == index


# retries


async def test_failing_item_is_retried_with_backoff_and_counted(
    client: Client, package_dir: Path
) -> None:
    document = queue_project(
        "wq-retry",
        concurrency=2,
        max_attempts=3,
        retry_initial="1s",
        retry_multiplier=2.0,
        retry_maximum="10s",
    )
    modules = import_package(document, package_dir)
    models = modules["models"]
    run = unique_id("retry")
    flaky, fine = f"{run}-flaky", f"{run}-fine"
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=[flaky, fine]))
        stats = await until(lambda: progress(handle), lambda p: p.completed == 2)
        await handle.signal("drain")
        result = await handle.result()
        found = list((await handle.fetch_history()).events)

    assert result == 2
    assert (stats.started, stats.completed, stats.failed, stats.retried) == (4, 2, 0, 2)
    assert adds_up(stats)
    assert Counter(initiated_ids(found)) == {f"job-{flaky}": 3, f"job-{fine}": 1}
    # the backoff: the second attempt came >= 1 s after the first failed, the third >= 2 s after
    # the second failed (exponential, multiplier 2)
    starts = [
        e.event_time.ToDatetime()
        for e in of_type(found, INITIATED)
        if e.start_child_workflow_execution_initiated_event_attributes.workflow_id == f"job-{flaky}"
    ]
    failures = [e.event_time.ToDatetime() for e in of_type(found, CHILD_FAILED)]
    assert len(failures) == 2
    first_wait = (starts[1] - failures[0]).total_seconds()
    second_wait = (starts[2] - failures[1]).total_seconds()
    assert 1.0 <= first_wait < 2.0
    assert 2.0 <= second_wait < 3.5
    # each run of the flaky child got its attempt number (from the progress record)
    inputs = [
        decode(
            client, e.start_child_workflow_execution_initiated_event_attributes.input.payloads[0]
        )
        for e in of_type(found, INITIATED)
    ]
    assert [i["attempt"] for i in inputs if i["name"] == flaky] == [1, 2, 3]
    assert [i["attempt"] for i in inputs if i["name"] == fine] == [1]
    # on_done ran once per item, with the successful run's result; on_failed never
    done = activity_calls(client, found, "record")
    assert sorted(call["name"] for call in done) == sorted([flaky, fine])
    assert [c["value"] for c in done if c["name"] == flaky] == [f"did {flaky}"]
    assert not activity_calls(client, found, "give_up")


async def test_item_failing_every_attempt_ends_failed_and_runs_on_failed(
    client: Client, package_dir: Path
) -> None:
    # the first wait is an expression giving seconds, as a run's input could give it
    document = queue_project(
        "wq-give-up", concurrency=2, max_attempts=2, retry_initial="0.25 * 2", retry_maximum="1s"
    )
    modules = import_package(document, package_dir)
    models = modules["models"]
    run = unique_id("give-up")
    doomed, fine = f"{run}-doomed", f"{run}-fine"
    async with running_worker(client, modules) as task_queue:
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=[doomed, fine]))
        stats = await until(lambda: progress(handle), lambda p: p.failed == 1 and p.completed == 1)
        await handle.signal("drain")
        result = await handle.result()
        found = list((await handle.fetch_history()).events)

    assert result == 1
    assert (stats.started, stats.completed, stats.failed, stats.retried) == (3, 1, 1, 1)
    assert adds_up(stats)
    assert (stats.items, stats.attempts, stats.retry_at, stats.running) == ({}, {}, {}, {})
    assert Counter(initiated_ids(found)) == {f"job-{doomed}": 2, f"job-{fine}": 1}
    gave_up = activity_calls(client, found, "give_up")
    assert [call["name"] for call in gave_up] == [doomed]
    assert gave_up[0]["error"] == f"{doomed} failed for good"
    assert [call["name"] for call in activity_calls(client, found, "record")] == [fine]


async def test_an_item_whose_workflow_id_is_taken_fails_and_the_queue_goes_on(
    client: Client, package_dir: Path
) -> None:
    document = queue_project(
        "wq-id-taken", concurrency=2, max_attempts=2, retry_initial="0.5s", retry_maximum="1s"
    )
    modules = import_package(document, package_dir)
    models = modules["models"]
    run = unique_id("taken")
    taken, fine = f"{run}-long", f"{run}-fine"
    async with running_worker(client, modules) as task_queue:
        # someone started the item's workflow by hand, under the id the queue gives it
        squatter = await client.start_workflow(
            "job",
            models.JobInput(name=taken, attempt=1),
            id=f"job-{taken}",
            task_queue=task_queue,
            execution_timeout=RUN_TIMEOUT,
        )
        handle = await start_consumer(client, task_queue, models)
        await handle.signal("push", models.ConsumerPushSignal(items=[taken, fine]))
        stats = await until(lambda: progress(handle), lambda p: p.failed == 1 and p.completed == 1)
        await handle.signal("drain")
        result = await handle.result()
        found = list((await handle.fetch_history()).events)
        await squatter.terminate("test over")

    assert result == 1
    assert (stats.completed, stats.failed, stats.retried) == (1, 1, 1)
    gave_up = activity_calls(client, found, "give_up")
    assert [call["name"] for call in gave_up] == [taken]
    assert "already started" in gave_up[0]["error"]

"""The orchestration kinds (retry, loop, try, wait, continue_as_new, schedule) on the dev server.

Each test compiles a small graph into a real package, runs it on a worker with its own task queue
and proves the promised behaviour from what Temporal recorded: results, the timers and activities
in the history, queries, the chain of runs and the schedules stored on the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio import activity
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import (
    Client,
    ScheduleActionExecutionStartWorkflow,
    ScheduleActionStartWorkflow,
    ScheduleOverlapPolicy,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError
from temporalio.service import RPCError
from temporalio.worker import Worker

from compiler import compile_project
from compiler.activity_owners import activity_owners
from language.document import Workflow
from tests.support.harness import (
    assign,
    chain,
    edge,
    import_package,
    node,
    project,
    running_worker,
    simulated,
    unique_id,
    workflow,
)

RUN_TIMEOUT = timedelta(seconds=30)
"""A broken workflow fails its test after this long instead of hanging the session."""

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
STARTED = EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
COMPLETED = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
ACTIVITY_FAILED = EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED
WORKFLOW_FAILED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
CONTINUED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
WORKFLOW_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED


# helpers


def counter(name: str) -> dict[str, Any]:
    """An int state field starting at 0."""
    return {"name": name, "type": "int", "default": 0}


def models_of(modules: dict[str, ModuleType]) -> ModuleType:
    return modules["models"]


async def start(
    client: Client, task_queue: str, name: str, arg: Any, timeout: timedelta = RUN_TIMEOUT
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        name, arg, id=unique_id(name), task_queue=task_queue, execution_timeout=timeout
    )


async def failure(handle: WorkflowHandle[Any, Any]) -> BaseException:
    """The cause of the workflow's failure (the test fails if the workflow completes)."""
    with pytest.raises(WorkflowFailureError) as raised:
        await handle.result()
    assert raised.value.cause is not None
    return raised.value.cause


async def events(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    return list((await handle.fetch_history()).events)


def of_type(found: list[HistoryEvent], event_type: int) -> list[HistoryEvent]:
    return [event for event in found if event.event_type == event_type]


def decode(client: Client, payload: Payload) -> Any:
    return client.data_converter.payload_converter.from_payload(payload)


def summaries(client: Client, found: list[HistoryEvent], event_type: int) -> list[str]:
    """What ties each event of one type to its node, in history order: its summary, or, for an
    activity that has none (the only call site of its activity type in the workflow, see
    compiler.activity_owners), `type <activity type>`."""
    marks = []
    for event in of_type(found, event_type):
        if event.user_metadata.HasField("summary"):
            marks.append(decode(client, event.user_metadata.summary))
        else:
            scheduled = event.activity_task_scheduled_event_attributes
            marks.append(f"type {scheduled.activity_type.name}")
    return marks


def activity_inputs(client: Client, found: list[HistoryEvent]) -> list[dict[str, Any]]:
    """The input dataclass (as a dict) of every scheduled activity, in history order."""
    return [
        decode(client, event.activity_task_scheduled_event_attributes.input.payloads[0])
        for event in of_type(found, SCHEDULED)
    ]


def timer_seconds(found: list[HistoryEvent]) -> list[float]:
    """The durations of the timers the workflow started, in order, rounded to milliseconds."""
    return [
        round(
            event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta().total_seconds(),
            3,
        )
        for event in of_type(found, TIMER_STARTED)
    ]


def most_in_flight(found: list[HistoryEvent]) -> int:
    """Activities scheduled and not yet closed, at their highest, walking the history in order."""
    running = highest = 0
    for event in found:
        if event.event_type == SCHEDULED:
            running += 1
            highest = max(highest, running)
        elif event.event_type in (COMPLETED, ACTIVITY_FAILED):
            running -= 1
    return highest


def most_overlapping(found: list[HistoryEvent]) -> int:
    """Activity executions running at once, from their started and completed event times."""
    started = {event.event_id: event.event_time.ToDatetime() for event in of_type(found, STARTED)}
    marks: list[tuple[datetime, int]] = []
    for event in of_type(found, COMPLETED):
        attributes = event.activity_task_completed_event_attributes
        marks.append((started[attributes.started_event_id], 1))
        marks.append((event.event_time.ToDatetime(), -1))
    # at equal times an end counts before a start: touching intervals do not overlap
    marks.sort(key=lambda mark: (mark[0], mark[1]))
    running = highest = 0
    for _, change in marks:
        running += change
        highest = max(highest, running)
    return highest


async def eventually(
    read: Callable[[], Awaitable[Any]], expected: Any, timeout: float = 10.0
) -> Any:
    """Reads until the value equals `expected` or the time is up; returns the last value."""
    deadline = time.monotonic() + timeout
    value = await read()
    while value != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        value = await read()
    return value


# retry


def attempt_activities() -> list[dict[str, Any]]:
    """`try_once` fails when told to: retryably (the team's own code in
    tests/support/flaky_steps.py), and `refuse_once` non-retryably (a simulated input that always
    fails)."""
    return [
        {
            "name": "try_once",
            "input": {"should_fail": "bool", "attempt": "int"},
            "output": "int",
            "implementation": {"kind": "python", "function": "tests.support.flaky_steps:try_once"},
        },
        simulated(
            "refuse_once",
            {"should_fail": "bool", "attempt": "int"},
            "int",
            "{attempt}",
            fail_when={"should_fail": True},
            fail_message="attempt {attempt} refused",
        ),
    ]


def retry_workflow(
    workflow_id: str,
    fails_below: int,
    exhausted: bool = False,
    activity: str = "try_once",
    activity_retry: dict[str, Any] | None = None,
    **retry: Any,
) -> dict[str, Any]:
    """start -> retry(count runs; `activity` failing while attempt < fails_below) -> end.

    The activity's own policy allows one attempt unless `activity_retry` says otherwise, so
    only the container retries. Returns the number of body runs and the attempt that
    succeeded (or -1 when it gave up through the `exhausted` port).
    """
    nodes = [
        node("start", "start"),
        node("again", "retry", "Again", **retry),
        assign("count", parent="again", state_runs="state.runs + 1"),
        node(
            "call",
            "activity",
            parent="again",
            activity=activity,
            args={"should_fail": f"attempt < {fails_below}", "attempt": "attempt"},
            result="succeeded",
            retry=activity_retry or {"maximum_attempts": 1},
        ),
        assign("keep", parent="again", state_succeeded="succeeded"),
        node("finish", "end", value="{'runs': state.runs, 'succeeded': state.succeeded}"),
    ]
    edges = [*chain("count", "call", "keep"), edge("start", "again"), edge("again", "finish")]
    if exhausted:
        nodes.append(node("gave_up", "end", value="{'runs': state.runs, 'succeeded': -1}"))
        edges.append(edge("again", "gave_up", "exhausted"))
    return workflow(
        workflow_id,
        nodes,
        edges,
        output="dict[str, int]",
        state=[counter("runs"), counter("succeeded")],
    )


async def test_retry_body_failing_twice_succeeds_on_attempt_three(
    client: Client, package_dir: Path
) -> None:
    document = project(
        "orx-retry-three",
        [
            retry_workflow(
                "flaky",
                fails_below=3,
                backoff="fixed",
                initial_interval="100ms",
                max_attempts=5,
            )
        ],
        attempt_activities(),
    )
    modules = import_package(document, package_dir)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "flaky", models_of(modules).FlakyInput())
        result = await handle.result()
        found = await events(handle)
    assert result == {"runs": 3, "succeeded": 3}
    assert [item["attempt"] for item in activity_inputs(client, found)] == [1, 2, 3]
    assert [item["should_fail"] for item in activity_inputs(client, found)] == [True, True, False]
    # each activity ran once (its own policy allows one attempt): only the container retried
    assert len(of_type(found, ACTIVITY_FAILED)) == 2
    assert not any(
        event.activity_task_failed_event_attributes.failure.application_failure_info.non_retryable
        for event in of_type(found, ACTIVITY_FAILED)
    )
    assert timer_seconds(found) == [0.1, 0.1]
    assert summaries(client, found, TIMER_STARTED) == [
        "again: backoff after attempt 1",
        "again: backoff after attempt 2",
    ]


async def test_retry_timers_follow_the_chosen_backoff(client: Client, package_dir: Path) -> None:
    document = project(
        "orx-retry-backoff",
        [
            retry_workflow(
                "fib",
                fails_below=7,
                backoff="fibonacci",
                initial_interval="100ms",
                maximum_interval="0.4s",
                max_attempts=10,
            ),
            retry_workflow(
                "fib-uncapped",
                fails_below=6,
                backoff="fibonacci",
                initial_interval="100ms",
                max_attempts=10,
            ),
            retry_workflow(
                "expo",
                fails_below=5,
                backoff="exponential",
                initial_interval="50ms",
                multiplier=3.0,
                maximum_interval="1s",
                max_attempts=10,
            ),
            retry_workflow(
                "fixed",
                fails_below=4,
                backoff="fixed",
                initial_interval="150ms",
                max_attempts=10,
            ),
            retry_workflow(
                "jittered",
                fails_below=5,
                backoff="fixed",
                initial_interval="100ms",
                jitter=0.5,
                max_attempts=10,
            ),
            retry_workflow(
                "jittered-capped",
                fails_below=7,
                backoff="exponential",
                initial_interval="100ms",
                multiplier=1.5,
                maximum_interval="120ms",
                jitter=0.5,
                max_attempts=10,
            ),
        ],
        attempt_activities(),
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    names = {
        "fib": models.FibInput(),
        "fib-uncapped": models.FibUncappedInput(),
        "expo": models.ExpoInput(),
        "fixed": models.FixedInput(),
        "jittered": models.JitteredInput(),
        "jittered-capped": models.JitteredCappedInput(),
    }
    async with running_worker(client, modules) as task_queue:
        handles = {name: await start(client, task_queue, name, arg) for name, arg in names.items()}
        results = {name: await handle.result() for name, handle in handles.items()}
        timers = {name: timer_seconds(await events(handle)) for name, handle in handles.items()}
    assert results == {
        "fib": {"runs": 7, "succeeded": 7},
        "fib-uncapped": {"runs": 6, "succeeded": 6},
        "expo": {"runs": 5, "succeeded": 5},
        "fixed": {"runs": 4, "succeeded": 4},
        "jittered": {"runs": 5, "succeeded": 5},
        "jittered-capped": {"runs": 7, "succeeded": 7},
    }
    # fibonacci 1, 1, 2, 3, 5, 8 ... times 100ms, capped at 400ms
    assert timers["fib"] == [0.1, 0.1, 0.2, 0.3, 0.4, 0.4]
    assert timers["fib-uncapped"] == [0.1, 0.1, 0.2, 0.3, 0.5]
    # 50ms times 3 each round, capped at 1s
    assert timers["expo"] == [0.05, 0.15, 0.45, 1.0]
    assert timers["fixed"] == [0.15, 0.15, 0.15]
    # jitter adds up to half of each 100ms wait, drawn from workflow.random()
    assert len(timers["jittered"]) == 4
    assert all(0.1 <= seconds <= 0.15 for seconds in timers["jittered"])
    assert len(set(timers["jittered"])) > 1
    # jitter never pushes a wait past the cap (six waits of up to 150ms, 225ms, ... drawn)
    assert len(timers["jittered-capped"]) == 6
    assert all(0.1 <= seconds <= 0.12 for seconds in timers["jittered-capped"])


async def test_retry_stops_at_a_failure_that_must_not_be_retried(
    client: Client, package_dir: Path
) -> None:
    """A non-retryable failure reaches the container inside an ActivityError; the container
    walks the cause chain, as it does for a failure the activity's own policy calls
    non-retryable, and tries no more."""
    document = project(
        "orx-retry-non-retryable",
        [
            retry_workflow(
                "refused",
                fails_below=3,
                activity="refuse_once",
                backoff="fixed",
                initial_interval="10ms",
                max_attempts=4,
            ),
            retry_workflow(
                "refused-by-policy",
                fails_below=3,
                activity_retry={
                    "maximum_attempts": 3,
                    "initial_interval": "10ms",
                    "non_retryable_error_types": ["StepFailed"],
                },
                backoff="fixed",
                initial_interval="10ms",
                max_attempts=4,
            ),
            retry_workflow(
                "refused-with-port",
                fails_below=3,
                exhausted=True,
                activity="refuse_once",
                backoff="fixed",
                initial_interval="10ms",
                max_attempts=4,
            ),
        ],
        attempt_activities(),
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        refused = await start(client, task_queue, "refused", models.RefusedInput())
        by_policy = await start(
            client, task_queue, "refused-by-policy", models.RefusedByPolicyInput()
        )
        with_port = await start(
            client, task_queue, "refused-with-port", models.RefusedWithPortInput()
        )
        causes = [await failure(refused), await failure(by_policy), await failure(with_port)]
        histories = [await events(refused), await events(by_policy), await events(with_port)]
    messages = []
    for cause in causes:
        assert isinstance(cause, ActivityError)
        assert isinstance(cause.cause, ApplicationError)
        messages.append(cause.cause.message)
    assert messages == [
        "attempt 1 refused",
        "attempt 1 failed",
        "attempt 1 refused",
    ]
    # one activity call each, no backoff timer: the container did not try again, and a
    # non-retryable failure is not "exhausted" either (it fails through the wired port)
    assert [len(of_type(found, SCHEDULED)) for found in histories] == [1, 1, 1]
    assert [timer_seconds(found) for found in histories] == [[], [], []]


def poll_project(
    project_id: str, activity: str = "read_phase", result: str = "phase_now"
) -> dict[str, Any]:
    """A retry with `until`: the body counts its runs and reads a phase that turns 'ready' at
    attempt `input.ready_at`; `poll` has no `exhausted` port, `poll-or-give-up` has one."""

    def poll(workflow_id: str, exhausted: bool) -> dict[str, Any]:
        nodes = [
            node("start", "start"),
            node(
                "wait_ready",
                "retry",
                "Wait until ready",
                backoff="fixed",
                initial_interval="50ms",
                max_attempts=4,
                until=f"{result} == 'ready'",
            ),
            assign("count", parent="wait_ready", state_polls="state.polls + 1"),
            node(
                "check",
                "activity",
                parent="wait_ready",
                activity=activity,
                args={"phase": "'ready' if attempt >= input.ready_at else 'pending'"},
                result=result,
            ),
            node("finish", "end", value="state.polls"),
        ]
        edges = [
            *chain("count", "check"),
            edge("start", "wait_ready"),
            edge("wait_ready", "finish"),
        ]
        if exhausted:
            nodes.append(node("gave_up", "end", value="-state.polls"))
            edges.append(edge("wait_ready", "gave_up", "exhausted"))
        return workflow(
            workflow_id,
            nodes,
            edges,
            inputs={"ready_at": "int"},
            output="int",
            state=[counter("polls")],
        )

    return project(
        project_id,
        [poll("poll", exhausted=False), poll("poll-or-give-up", exhausted=True)],
        [simulated(activity, {"phase": "str"}, "str", "{phase}")],
    )


async def test_retry_until_polls_until_the_condition_holds(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(poll_project("orx-retry-until"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        ready_third = await start(client, task_queue, "poll", models.PollInput(ready_at=3))
        ready_first = await start(client, task_queue, "poll", models.PollInput(ready_at=1))
        never = await start(client, task_queue, "poll", models.PollInput(ready_at=99))
        never_port = await start(
            client, task_queue, "poll-or-give-up", models.PollOrGiveUpInput(ready_at=99)
        )
        polls = await ready_third.result()
        found = await events(ready_third)
        polls_at_once = await ready_first.result()
        found_at_once = await events(ready_first)
        cause = await failure(never)
        given_up = await never_port.result()
    # the body ran until the phase read 'ready', and not once more
    assert polls == 3
    phases = [item["phase"] for item in activity_inputs(client, found)]
    assert phases == ["pending", "pending", "ready"]
    assert timer_seconds(found) == [0.05, 0.05]
    assert polls_at_once == 1
    assert len(of_type(found_at_once, SCHEDULED)) == 1
    assert timer_seconds(found_at_once) == []
    # a condition that never holds stops at max_attempts: the workflow fails, or takes `exhausted`
    assert isinstance(cause, ApplicationError)
    assert cause.type == "RetryExhausted"
    assert "4 attempts" in cause.message
    assert given_up == -4


async def test_poll_result_may_share_its_activity_name(client: Client, package_dir: Path) -> None:
    """Polling a `status` activity into a result called `status` is a natural graph."""
    document = poll_project("orx-retry-shadow", activity="status", result="status")
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        handle = await start(
            client, task_queue, "poll", models.PollInput(ready_at=2), timeout=timedelta(seconds=5)
        )
        polls = await handle.result()
    assert polls == 2


async def test_retry_without_a_limit_keeps_going(client: Client, package_dir: Path) -> None:
    document = project(
        "orx-retry-forever",
        [
            retry_workflow(
                "forever",
                fails_below=12,
                backoff="fixed",
                initial_interval="10ms",
                max_attempts=0,
            )
        ],
        attempt_activities(),
    )
    modules = import_package(document, package_dir)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "forever", models_of(modules).ForeverInput())
        result = await handle.result()
        found = await events(handle)
    # far past the default of 3 attempts (and past any bound the generated code might keep)
    assert result == {"runs": 12, "succeeded": 12}
    assert len(of_type(found, ACTIVITY_FAILED)) == 11
    assert timer_seconds(found) == [0.01] * 11


async def test_retry_exhausted_takes_the_port_or_fails(client: Client, package_dir: Path) -> None:
    document = project(
        "orx-retry-exhausted",
        [
            retry_workflow(
                "gives-up",
                fails_below=100,
                exhausted=True,
                backoff="fixed",
                initial_interval="20ms",
                max_attempts=3,
            ),
            retry_workflow(
                "fails",
                fails_below=100,
                backoff="fixed",
                initial_interval="20ms",
                max_attempts=3,
            ),
            retry_workflow(
                "succeeds-last",
                fails_below=3,
                exhausted=True,
                backoff="fixed",
                initial_interval="20ms",
                max_attempts=3,
            ),
        ],
        attempt_activities(),
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        giving_up = await start(client, task_queue, "gives-up", models.GivesUpInput())
        failing = await start(client, task_queue, "fails", models.FailsInput())
        succeeding = await start(client, task_queue, "succeeds-last", models.SucceedsLastInput())
        gave_up = await giving_up.result()
        cause = await failure(failing)
        failing_events = await events(failing)
        last = await succeeding.result()
    assert gave_up == {"runs": 3, "succeeded": -1}
    assert isinstance(cause, ActivityError)
    assert isinstance(cause.cause, ApplicationError)
    assert cause.cause.message == "attempt 3 failed"
    assert len(of_type(failing_events, SCHEDULED)) == 3
    assert timer_seconds(failing_events) == [0.02, 0.02]
    # success on the last allowed attempt takes `out`, not `exhausted`
    assert last == {"runs": 3, "succeeded": 3}


# loop


async def test_loop_for_each_concurrent_never_exceeds_its_limit(
    client: Client, package_dir: Path
) -> None:
    document = project(
        "orx-loop-limit",
        [
            workflow(
                "fan",
                [
                    node("start", "start"),
                    node("each", "loop", "Each item", items="input.items", concurrency=3),
                    node(
                        "work",
                        "activity",
                        parent="each",
                        activity="work",
                        args={"item": "item", "position": "index"},
                        result="done",
                    ),
                    assign("record", parent="each", state_finished="state.finished + [done]"),
                    node("finish", "end", value="state.finished"),
                ],
                [*chain("work", "record"), edge("start", "each"), edge("each", "finish")],
                inputs={"items": "list[str]"},
                output="list[str]",
                state=[{"name": "finished", "type": "list[str]", "default": []}],
            )
        ],
        [
            simulated(
                "work",
                {"item": "str", "position": "int"},
                "str",
                "{position}:{item}",
                delay_seconds=0.2,
            )
        ],
    )
    modules = import_package(document, package_dir)
    items = [f"item-{number:02d}" for number in range(20)]
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "fan", models_of(modules).FanInput(items=items))
        finished = await handle.result()
        found = await events(handle)
    expected = [f"{position}:{item}" for position, item in enumerate(items)]
    # every item ran exactly once
    assert sorted(finished) == sorted(expected)
    assert len(finished) == 20
    assert sorted(
        f"{args['position']}:{args['item']}" for args in activity_inputs(client, found)
    ) == sorted(expected)
    assert len(of_type(found, COMPLETED)) == 20
    # in history order: never more than 3 scheduled and not yet completed, and 3 at the peak
    assert most_in_flight(found) == 3
    # by the clock: never more than 3 activity executions running at once
    assert 2 <= most_overlapping(found) <= 3


async def test_loop_for_each_in_order_and_while(client: Client, package_dir: Path) -> None:
    ordered = workflow(
        "ordered",
        [
            node("start", "start"),
            node("each", "loop", "Each word", items="input.words"),
            node(
                "label",
                "activity",
                parent="each",
                activity="work",
                args={"item": "item", "position": "index"},
                result="labelled",
            ),
            assign("record", parent="each", state_seen="state.seen + [labelled]"),
            node("finish", "end", value="state.seen"),
        ],
        [*chain("label", "record"), edge("start", "each"), edge("each", "finish")],
        inputs={"words": "list[str]"},
        output="list[str]",
        state=[{"name": "seen", "type": "list[str]", "default": []}],
    )
    counting = workflow(
        "counting",
        [
            node("start", "start"),
            node("rounds", "loop", "Rounds", mode="while", condition="state.n < input.limit"),
            assign(
                "step",
                parent="rounds",
                state_n="state.n + input.by",
                state_trail="state.trail + [iteration]",
            ),
            node("finish", "end", value="{'n': state.n, 'trail': state.trail}"),
        ],
        [edge("start", "rounds"), edge("rounds", "finish")],
        inputs={"limit": "int", "by": "int"},
        output="dict[str, Any]",
        state=[counter("n"), {"name": "trail", "type": "list[int]", "default": []}],
    )
    runaway = workflow(
        "runaway",
        [
            node("start", "start"),
            node(
                "rounds",
                "loop",
                "Endless rounds",
                mode="while",
                condition="state.n >= 0",
                max_iterations=4,
            ),
            node(
                "tick",
                "activity",
                parent="rounds",
                activity="work",
                args={"item": "'tick'", "position": "iteration"},
            ),
            node("finish", "end"),
        ],
        [edge("start", "rounds"), edge("rounds", "finish")],
        state=[counter("n")],
    )
    document = project(
        "orx-loop-order",
        [ordered, counting, runaway],
        [simulated("work", {"item": "str", "position": "int"}, "str", "{position}:{item}")],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    words = ["delta", "alpha", "charlie", "bravo"]
    async with running_worker(client, modules) as task_queue:
        in_order = await start(client, task_queue, "ordered", models.OrderedInput(words=words))
        counted = await start(client, task_queue, "counting", models.CountingInput(limit=7, by=2))
        never = await start(client, task_queue, "counting", models.CountingInput(limit=0, by=1))
        endless = await start(client, task_queue, "runaway", models.RunawayInput())
        seen = await in_order.result()
        ordered_events = await events(in_order)
        counted_result = await counted.result()
        never_result = await never.result()
        cause = await failure(endless)
        endless_events = await events(endless)
    # sequential: one activity at a time, in list order, results kept in that order
    assert seen == ["0:delta", "1:alpha", "2:charlie", "3:bravo"]
    assert [args["item"] for args in activity_inputs(client, ordered_events)] == words
    assert most_in_flight(ordered_events) == 1
    # while: 0 -> 2 -> 4 -> 6 -> 8, the condition turned false after the fourth round
    assert counted_result == {"n": 8, "trail": [1, 2, 3, 4]}
    assert never_result == {"n": 0, "trail": []}
    # a round limit fails the workflow after that many bodies ran
    assert isinstance(cause, ApplicationError)
    assert cause.type == "LoopLimit"
    assert "Endless rounds ran more than 4 times" in cause.message
    assert [args["position"] for args in activity_inputs(client, endless_events)] == [1, 2, 3, 4]


# try


def saga_activities() -> list[dict[str, Any]]:
    return [
        simulated("book", {"what": "str"}, "str", "booking-{what}"),
        simulated(
            "charge",
            {"card": "str"},
            "str",
            "charge-{card}",
            fail_when={"card": "0000"},
            fail_message="card {card} declined",
        ),
        simulated("cancel", {"token": "str"}, "None", None),
    ]


def saga_workflow(workflow_id: str, error_port: bool) -> dict[str, Any]:
    """try(book flight, book hotel, charge card), each step undone by `cancel` of its result."""

    def step(node_id: str, label: str, activity: str, args: dict[str, str]) -> dict[str, Any]:
        result = f"{node_id}_token"
        return node(
            node_id,
            "activity",
            label,
            parent="saga",
            activity=activity,
            args=args,
            result=result,
            compensation={"activity": "cancel", "args": {"token": result}},
        )

    nodes = [
        node("start", "start"),
        node("saga", "try", "Trip saga"),
        step("flight", "Book flight", "book", {"what": "'flight'"}),
        step("hotel", "Book hotel", "book", {"what": "'hotel'"}),
        step("pay", "Charge card", "charge", {"card": "input.card"}),
        node("booked", "end", value="'booked'"),
    ]
    edges = [*chain("flight", "hotel", "pay"), edge("start", "saga"), edge("saga", "booked")]
    if error_port:
        nodes.append(node("rolled_back", "end", value="'rolled back: ' + error"))
        edges.append(edge("saga", "rolled_back", "error"))
    return workflow(workflow_id, nodes, edges, inputs={"card": "str"}, output="str")


async def test_try_compensates_in_reverse_then_takes_the_error_port(
    client: Client, package_dir: Path
) -> None:
    document = project(
        "orx-try-error-port", [saga_workflow("trip", error_port=True)], saga_activities()
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        failing = await start(client, task_queue, "trip", models.TripInput(card="0000"))
        passing = await start(client, task_queue, "trip", models.TripInput(card="4242"))
        rolled_back = await failing.result()
        failing_events = await events(failing)
        booked = await passing.result()
        passing_events = await events(passing)
    assert rolled_back.startswith("rolled back: ")
    # the steps, then the undo of step 2 and of step 1 (step 3 never completed: no undo)
    # `book` and `cancel` have several call sites, so a summary says which; `charge` one
    assert summaries(client, failing_events, SCHEDULED) == [
        "flight: Book flight",
        "hotel: Book hotel",
        "type charge",
        "hotel: undo Book hotel",
        "flight: undo Book flight",
    ]
    assert activity_inputs(client, failing_events)[3:] == [
        {"token": "booking-hotel"},
        {"token": "booking-flight"},
    ]
    # each undo completed before the next was scheduled
    assert most_in_flight(failing_events) == 1
    assert len(of_type(failing_events, COMPLETED)) == 4
    # nothing failed: no compensation runs and the `out` path returns
    assert booked == "booked"
    assert summaries(client, passing_events, SCHEDULED) == [
        "flight: Book flight",
        "hotel: Book hotel",
        "type charge",
    ]
    # the error path reads `error`: the failure's message, as the kind documents
    assert rolled_back == "rolled back: card 0000 declined"


async def test_try_without_error_port_compensates_then_fails(
    client: Client, package_dir: Path
) -> None:
    document = project(
        "orx-try-propagate", [saga_workflow("trip", error_port=False)], saga_activities()
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "trip", models.TripInput(card="0000"))
        cause = await failure(handle)
        found = await events(handle)
    assert isinstance(cause, ActivityError)
    assert isinstance(cause.cause, ApplicationError)
    assert cause.cause.message == "card 0000 declined"
    assert summaries(client, found, SCHEDULED)[3:] == [
        "hotel: undo Book hotel",
        "flight: undo Book flight",
    ]
    # both undos finished before the workflow failed
    completed = [event.event_id for event in of_type(found, COMPLETED)]
    failed = of_type(found, WORKFLOW_FAILED)
    assert len(completed) == 4
    assert len(failed) == 1
    assert max(completed) < failed[0].event_id


def cancelled_saga(workflow_id: str, nested: bool) -> dict[str, Any]:
    """try(book flight, then wait 60 s); `nested` puts both inside a second Try."""
    saga = "inner" if nested else "saga"
    nodes = [
        node("start", "start"),
        node("saga", "try", "Trip saga"),
        node(
            "flight",
            "activity",
            "Book flight",
            parent=saga,
            activity="book",
            args={"what": "'flight'"},
            result="flight_token",
            compensation={"activity": "cancel", "args": {"token": "flight_token"}},
        ),
        node("linger", "timer", parent=saga, duration="60s"),
        node("booked", "end", value="'booked'"),
    ]
    if nested:
        nodes.insert(2, node("inner", "try", "Inner saga", parent="saga"))
    edges = [*chain("flight", "linger"), *chain("start", "saga", "booked")]
    return workflow(workflow_id, nodes, edges, output="str")


@pytest.mark.parametrize("nested", [False, True])
async def test_a_cancelled_try_undoes_its_completed_steps(
    client: Client, package_dir: Path, nested: bool
) -> None:
    name = "nested-trip" if nested else "trip"
    document = project(
        f"orx-try-cancelled-{'nested' if nested else 'plain'}",
        [cancelled_saga(name, nested)],
        saga_activities(),
    )
    modules = import_package(document, package_dir)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, name, None)

        async def booked() -> int:
            return len(of_type(await events(handle), COMPLETED))

        assert await eventually(booked, 1) == 1
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as raised:
            await handle.result()
        found = await events(handle)
        status = (await handle.describe()).status
    assert isinstance(raised.value.cause, CancelledError)
    assert status == WorkflowExecutionStatus.CANCELED
    # the booking was undone before the workflow ended as cancelled; one call site per
    # activity type, so the types alone say which node and role
    assert summaries(client, found, SCHEDULED) == ["type book", "type cancel"]
    assert activity_owners(Workflow.model_validate(cancelled_saga(name, nested))) == {
        "book": ("flight", "step"),
        "cancel": ("flight", "undo"),
    }
    assert activity_inputs(client, found)[1] == {"token": "booking-flight"}
    assert len(of_type(found, COMPLETED)) == 2


async def test_a_step_whose_result_comes_with_the_cancellation_is_undone(
    client: Client, package_dir: Path
) -> None:
    """The booking completes and the workflow is cancelled before the workflow sees either,
    so both reach it in one workflow task: the await of the step raises the cancellation,
    yet the step is done and its undo must run."""
    document = project("orx-try-same-task", [cancelled_saga("trip", False)], saga_activities())
    modules = import_package(document, package_dir)
    tokens: list[bytes] = []

    @activity.defn(name="book")
    async def book_later(_input: Any) -> str:
        tokens.append(activity.info().task_token)
        activity.raise_complete_async()

    task_queue = unique_id("tq")
    worker_module = modules["worker"]
    others = [a for a in worker_module.ACTIVITIES if a.__name__ != "book"]
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=worker_module.WORKFLOWS,
        activities=[book_later, *others],
    ):
        handle = await start(client, task_queue, "trip", None)

        async def started() -> int:
            return len(tokens)

        assert await eventually(started, 1) == 1
    # no worker: the completion and the cancellation wait in history for one workflow task
    await client.get_async_activity_handle(task_token=tokens[0]).complete("booking-flight")
    await handle.cancel()
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=worker_module.WORKFLOWS,
        activities=worker_module.ACTIVITIES,
    ):
        with pytest.raises(WorkflowFailureError) as raised:
            await handle.result()
        found = await events(handle)
    assert isinstance(raised.value.cause, CancelledError)
    assert summaries(client, found, SCHEDULED) == ["type book", "type cancel"]
    assert activity_inputs(client, found)[1] == {"token": "booking-flight"}


async def test_a_cancelled_try_with_an_error_path_undoes_and_ends_cancelled(
    client: Client, package_dir: Path
) -> None:
    """The workflow is cancelled while a step runs: the step's failure is the cancellation,
    so the Try undoes what completed and the workflow ends CANCELED; the error path, which is
    for failures, does not run."""
    nodes = [
        node("start", "start"),
        node("saga", "try", "Trip saga"),
        node(
            "flight",
            "activity",
            "Book flight",
            parent="saga",
            activity="book",
            args={"what": "'flight'"},
            result="flight_token",
            compensation={"activity": "cancel", "args": {"token": "flight_token"}},
        ),
        node("hotel", "activity", "Book hotel", parent="saga", activity="slow_book"),
        node("booked", "end", value="'booked'"),
        node("rolled_back", "end", value="'rolled back: ' + error"),
    ]
    edges = [
        *chain("flight", "hotel"),
        *chain("start", "saga", "booked"),
        edge("saga", "rolled_back", "error"),
    ]
    activities = [
        *saga_activities(),
        simulated("slow_book", {}, "None", None, delay_seconds=60),
    ]
    document = project(
        "orx-try-cancelled-error-path",
        [workflow("trip", nodes, edges, output="str")],
        activities,
    )
    modules = import_package(document, package_dir)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "trip", None)

        async def hotel_scheduled() -> int:
            return len(of_type(await events(handle), SCHEDULED))

        assert await eventually(hotel_scheduled, 2) == 2
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as raised:
            await handle.result()
        found = await events(handle)
        status = (await handle.describe()).status
    assert isinstance(raised.value.cause, CancelledError)
    assert status == WorkflowExecutionStatus.CANCELED
    # the flight was undone, with its own token, before the run ended
    assert summaries(client, found, SCHEDULED) == ["type book", "type slow_book", "type cancel"]
    assert activity_inputs(client, found)[2] == {"token": "booking-flight"}
    assert len(of_type(found, WORKFLOW_COMPLETED)) == 0


async def test_every_undo_runs_even_when_one_fails(client: Client, package_dir: Path) -> None:
    """An undo that fails does not keep the older ones from running; the workflow then fails
    naming each failed undo, and the failure that started the undoing is its cause."""
    activities = [
        simulated("book", {"what": "str"}, "str", "booking-{what}"),
        simulated(
            "charge",
            {"card": "str"},
            "str",
            "charge-{card}",
            fail_when={"card": "0000"},
            fail_message="card {card} declined",
        ),
        simulated(
            "cancel",
            {"token": "str"},
            "None",
            None,
            fail_when={"token": "booking-hotel"},
            fail_message="{token} cannot be cancelled",
        ),
    ]
    document = project(
        "orx-try-undo-all",
        [saga_workflow("trip", error_port=True)],
        activities,
    )
    modules = import_package(document, package_dir)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "trip", models_of(modules).TripInput(card="0000"))
        cause = await failure(handle)
        found = await events(handle)
    # hotel's undo failed, and flight's undo (older) still ran after it
    assert summaries(client, found, SCHEDULED)[3:] == [
        "hotel: undo Book hotel",
        "flight: undo Book flight",
    ]
    assert len(of_type(found, COMPLETED)) == 3
    assert isinstance(cause, ApplicationError)
    assert cause.type == "CompensationFailed"
    assert cause.message == (
        "saga: Trip saga: 1 of 2 undo steps failed: booking-hotel cannot be cancelled"
    )
    # the declined card, which made the saga undo, is chained as the cause
    assert isinstance(cause.cause, ActivityError)
    assert isinstance(cause.cause.cause, ApplicationError)
    assert cause.cause.cause.message == "card 0000 declined"


async def test_a_child_whose_id_is_taken_takes_the_error_path(
    client: Client, package_dir: Path
) -> None:
    child = workflow(
        "nap",
        [node("start", "start"), node("pause", "timer", duration="30s"), node("done", "end")],
        chain("start", "pause", "done"),
    )
    parent = workflow(
        "launch",
        [
            node("start", "start"),
            node("guard", "try", "Launch"),
            node(
                "call",
                "child_workflow",
                parent="guard",
                workflow="nap",
                id_template="nap-{input.tag}",
            ),
            node("launched", "end", value="'launched'"),
            node("refused", "end", value="'refused: ' + error"),
        ],
        [*chain("start", "guard", "launched"), edge("guard", "refused", "error")],
        inputs={"tag": "str"},
        output="str",
    )
    modules = import_package(project("orx-try-child-taken", [child, parent]), package_dir)
    models = models_of(modules)
    tag = unique_id("taken")
    async with running_worker(client, modules) as task_queue:
        # a workflow already runs under the id the child would take
        squatter = await client.start_workflow(
            "nap", None, id=f"nap-{tag}", task_queue=task_queue, execution_timeout=RUN_TIMEOUT
        )
        handle = await start(client, task_queue, "launch", models.LaunchInput(tag=tag))
        outcome = await handle.result()
        await squatter.terminate("test over")
    assert outcome.startswith("refused: ")
    assert "already started" in outcome.lower()


def stopped_saga_project(project_id: str) -> dict[str, Any]:
    """A Try around steps run side by side: `book` of "slow" takes 1 s, of "bad" fails at once.

    `in-loop` books each item in a concurrent loop; `in-branches` books one item per branch of
    a parallel; `in-inner-tries` books each item of a concurrent loop inside a Try of its own.
    Every booking is undone by `cancel` of its token.
    """

    def booking(node_id: str, what: str, parent: str) -> dict[str, Any]:
        return node(
            node_id,
            "activity",
            parent=parent,
            activity="book",
            args={"what": what},
            result=f"{node_id}_token",
            compensation={"activity": "cancel", "args": {"token": f"{node_id}_token"}},
        )

    def rolled_back(
        workflow_id: str, inner: list[dict[str, Any]], edges: list[dict[str, Any]]
    ) -> dict[str, Any]:
        nodes = [
            node("start", "start"),
            node("saga", "try", "Book all"),
            *inner,
            node("booked", "end", value="'booked'"),
            node("undone", "end", value="'rolled back: ' + error"),
        ]
        wiring = [*edges, *chain("start", "saga", "booked"), edge("saga", "undone", "error")]
        return workflow(workflow_id, nodes, wiring, output="str")

    in_loop = rolled_back(
        "in-loop",
        [
            node("each", "loop", parent="saga", items="['slow', 'bad']", concurrency=2),
            booking("book_item", "item", "each"),
        ],
        [],
    )
    in_branches = rolled_back(
        "in-branches",
        [
            node("fan", "parallel", parent="saga", mode="all"),
            booking("book_slow", "'slow'", "saga"),
            booking("book_bad", "'bad'", "saga"),
            node("meet", "join", parent="saga"),
        ],
        [
            edge("fan", "book_slow", "branch"),
            edge("fan", "book_bad", "branch"),
            *chain("book_slow", "meet"),
            *chain("book_bad", "meet"),
        ],
    )
    in_inner_tries = rolled_back(
        "in-inner-tries",
        [
            node("each", "loop", parent="saga", items="['slow', 'bad']", concurrency=2),
            node("inner", "try", "Book one", parent="each"),
            booking("book_one", "item", "inner"),
        ],
        [],
    )
    activities = [
        simulated(
            "book",
            {"what": "str"},
            "str",
            "booking-{what}",
            delay_seconds=1.0,
            fail_when={"what": "bad"},
            fail_message="no room for {what}",
        ),
        simulated("cancel", {"token": "str"}, "None", None),
    ]
    return project(project_id, [in_loop, in_branches, in_inner_tries], activities)


@pytest.mark.parametrize("workflow_name", ["in-loop", "in-branches", "in-inner-tries"])
async def test_a_step_stopped_by_a_failure_beside_it_is_still_undone(
    client: Client, package_dir: Path, workflow_name: str
) -> None:
    modules = import_package(stopped_saga_project("orx-try-side-by-side"), package_dir)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, workflow_name, None)
        outcome = await handle.result()
        found = await events(handle)
    assert outcome == "rolled back: no room for bad"
    # the slow booking was under way when the other failed: it finished, then it was undone
    undos = [args for args in activity_inputs(client, found) if "token" in args]
    assert undos == [{"token": "booking-slow"}]
    booked = [
        event.event_id
        for event in of_type(found, COMPLETED)
        if decode(client, event.activity_task_completed_event_attributes.result.payloads[0])
        == "booking-slow"
    ]
    undo_scheduled = [
        event.event_id
        for event in of_type(found, SCHEDULED)
        if event.activity_task_scheduled_event_attributes.activity_type.name == "cancel"
    ]
    assert len(booked) == 1
    assert len(undo_scheduled) == 1
    assert booked[0] < undo_scheduled[0]


# wait / approval gate


def gate_project(project_id: str, timeout: str) -> dict[str, Any]:
    """A review waiting on a gate; the `decide` signal sets the decision and who made it."""
    return project(
        project_id,
        [
            workflow(
                "review",
                [
                    node("start", "start"),
                    node(
                        "gate",
                        "wait",
                        "Sign-off",
                        gate="Manager sign-off",
                        approved_when="state.decision == 'approved'",
                        rejected_when="state.decision == 'rejected'",
                        timeout=timeout,
                    ),
                    node("approved", "end", value="'approved by ' + state.by"),
                    node("rejected", "end", value="'rejected by ' + state.by"),
                    node("expired", "end", value="'timed out for ' + input.change"),
                    node(
                        "decide", "signal", name="decide", params={"decision": "str", "by": "str"}
                    ),
                    assign(
                        "store",
                        state_decision="payload.decision",
                        state_by="payload.by",
                    ),
                ],
                [
                    edge("start", "gate"),
                    edge("gate", "approved", "approved"),
                    edge("gate", "rejected", "rejected"),
                    edge("gate", "expired", "timeout"),
                    *chain("decide", "store"),
                ],
                inputs={"change": "str"},
                output="str",
                state=[
                    {"name": "decision", "type": "str", "default": ""},
                    {"name": "by", "type": "str", "default": ""},
                ],
            )
        ],
    )


async def pending(handle: WorkflowHandle[Any, Any]) -> list[dict[str, str]]:
    gates: list[dict[str, str]] = await handle.query("pending_gates")
    return gates


async def waiting(handle: WorkflowHandle[Any, Any]) -> bool:
    return bool(await pending(handle))


def only_gate(gates: list[dict[str, str]]) -> dict[str, str]:
    assert len(gates) == 1, gates
    assert gates[0]["gate"] == "Manager sign-off"
    assert gates[0]["node"] == "gate"
    datetime.fromisoformat(gates[0]["since"])
    return gates[0]


async def decided_by_signal(
    client: Client, package_dir: Path, project_id: str, decision: str
) -> tuple[list[dict[str, str]], list[dict[str, str]], str, list[HistoryEvent]]:
    """Starts a review, reads its gates, signals `decision`; returns gates before and after,
    the result and the history."""
    modules = import_package(gate_project(project_id, timeout="20s"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "review", models.ReviewInput(change="c-1"))
        await eventually(lambda: waiting(handle), True)
        before = await pending(handle)
        still_running = (await handle.describe()).status
        await handle.signal("decide", models.ReviewDecideSignal(decision=decision, by="Grace"))
        result = await handle.result()
        after = await pending(handle)
        found = await events(handle)
    assert still_running == WorkflowExecutionStatus.RUNNING
    return before, after, result, found


async def test_gate_approved_by_signal(client: Client, package_dir: Path) -> None:
    before, after, result, found = await decided_by_signal(
        client, package_dir, "orx-gate-approved", "approved"
    )
    only_gate(before)
    assert after == []
    assert result == "approved by Grace"
    # the gate's timeout was armed with its node id, and cancelled by the decision
    timers = of_type(found, TIMER_STARTED)
    assert timer_seconds(found) == [20.0]
    assert summaries(client, found, TIMER_STARTED) == ["gate: Manager sign-off"]
    assert len(timers) == 1
    assert len(of_type(found, EventType.EVENT_TYPE_TIMER_FIRED)) == 0


async def test_gate_rejected_by_signal(client: Client, package_dir: Path) -> None:
    before, after, result, _ = await decided_by_signal(
        client, package_dir, "orx-gate-rejected", "rejected"
    )
    only_gate(before)
    assert after == []
    assert result == "rejected by Grace"


async def test_gate_times_out(client: Client, package_dir: Path) -> None:
    modules = import_package(gate_project("orx-gate-timeout", timeout="1s"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "review", models.ReviewInput(change="c-2"))
        is_waiting = await eventually(lambda: waiting(handle), True)
        before = await pending(handle)
        # a signal that decides nothing keeps the gate waiting
        await handle.signal("decide", models.ReviewDecideSignal(decision="maybe", by="Linus"))
        result = await handle.result()
        after = await pending(handle)
        found = await events(handle)
    assert is_waiting
    only_gate(before)
    assert result == "timed out for c-2"
    assert after == []
    assert timer_seconds(found) == [1.0]
    assert len(of_type(found, EventType.EVENT_TYPE_TIMER_FIRED)) == 1


async def test_gates_in_a_concurrent_loop_wait_side_by_side(
    client: Client, package_dir: Path
) -> None:
    """Each iteration's gate is listed on its own and leaves the list when it is passed."""
    document = project(
        "orx-gate-fan",
        [
            workflow(
                "sign-all",
                [
                    node("start", "start"),
                    node("each", "loop", "Each change", items="input.changes", concurrency=5),
                    node(
                        "gate",
                        "wait",
                        "Sign-off",
                        parent="each",
                        gate="Change sign-off",
                        approved_when="item in state.approved",
                    ),
                    assign("record", parent="each", state_signed="state.signed + [item]"),
                    node("finish", "end", value="state.signed"),
                    node("approve", "signal", name="approve", params={"change": "str"}),
                    assign("store", state_approved="state.approved + [payload.change]"),
                ],
                [
                    edge("start", "each"),
                    edge("gate", "record", "approved"),
                    edge("each", "finish"),
                    *chain("approve", "store"),
                ],
                inputs={"changes": "list[str]"},
                output="list[str]",
                state=[
                    {"name": "approved", "type": "list[str]", "default": []},
                    {"name": "signed", "type": "list[str]", "default": []},
                ],
            )
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    changes = ["c-1", "c-2", "c-3"]
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "sign-all", models.SignAllInput(changes=changes))
        counts = [await eventually(lambda: count(handle), 3)]
        for change in ["c-2", "c-3"]:
            await handle.signal("approve", models.SignAllApproveSignal(change=change))
            counts.append(await eventually(lambda: count(handle), counts[-1] - 1))
        listed = await pending(handle)
        await handle.signal("approve", models.SignAllApproveSignal(change="c-1"))
        result = await handle.result()
        after = await pending(handle)
    assert counts == [3, 2, 1]
    assert [(g["gate"], g["node"]) for g in listed] == [("Change sign-off", "gate")]
    assert result == ["c-2", "c-3", "c-1"]
    assert after == []


async def count(handle: WorkflowHandle[Any, Any]) -> int:
    return len(await pending(handle))


# continue_as_new


async def test_continue_as_new_carries_state_across_runs(client: Client, package_dir: Path) -> None:
    document = project(
        "orx-continue",
        [
            workflow(
                "rounds",
                [
                    node("start", "start"),
                    assign(
                        "bump",
                        state_rounds="state.rounds + 1",
                        state_lengths="state.lengths + [history_length]",
                    ),
                    node("more", "condition", expression="state.rounds < input.target"),
                    node("again", "continue_as_new", "Next round"),
                    node(
                        "finish",
                        "end",
                        value="{'rounds': state.rounds, 'lengths': state.lengths, "
                        "'workflow': workflow_id}",
                    ),
                ],
                [
                    *chain("start", "bump", "more"),
                    edge("more", "again", "true"),
                    edge("more", "finish", "false"),
                ],
                inputs={"target": "int"},
                output="dict[str, Any]",
                state=[counter("rounds"), {"name": "lengths", "type": "list[int]", "default": []}],
            )
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "rounds", models.RoundsInput(target=3))
        result = await handle.result()
        last_run = (await handle.describe()).run_id
        # follow the chain of runs from the first one
        runs: list[str] = []
        carried: list[dict[str, Any]] = []
        run_id: str | None = handle.first_execution_run_id
        while run_id is not None:
            runs.append(run_id)
            found = await events(client.get_workflow_handle(handle.id, run_id=run_id))
            closing = found[-1]
            if closing.event_type == CONTINUED:
                attributes = closing.workflow_execution_continued_as_new_event_attributes
                carried.append(decode(client, attributes.input.payloads[0])["resume_state"])
                run_id = attributes.new_execution_run_id
            else:
                assert closing.event_type == WORKFLOW_COMPLETED
                run_id = None
    assert result["rounds"] == 3
    assert result["workflow"] == handle.id
    # every run started a fresh, short history (the same length at the same point of each run)
    assert len(result["lengths"]) == 3
    assert len(set(result["lengths"])) == 1
    assert len(runs) == 3
    assert len(set(runs)) == 3
    assert runs[0] == handle.first_execution_run_id
    assert last_run == runs[-1]
    assert last_run != handle.first_execution_run_id
    # each continue-as-new carried the state so far into the next run's input
    assert [state["rounds"] for state in carried] == [1, 2]
    assert [len(state["lengths"]) for state in carried] == [1, 2]


# schedule


def schedule_project(
    project_id: str, hourly_id: str, weekday_id: str, interval: str
) -> dict[str, Any]:
    """A `report` workflow started by two schedules: an interval one and a paused cron one."""
    return project(
        project_id,
        [
            workflow(
                "report",
                [
                    node("start", "start"),
                    node(
                        "hourly",
                        "schedule",
                        "On an interval",
                        schedule_id=hourly_id,
                        interval=interval,
                        time_zone="Europe/Berlin",
                        overlap="buffer_one",
                        catchup_window="10m",
                        args={"region": "'eu'", "days": "7"},
                    ),
                    node(
                        "weekday",
                        "schedule",
                        "Weekday mornings",
                        schedule_id=weekday_id,
                        cron=["0 9 * * 1-5"],
                        time_zone="America/New_York",
                        overlap="skip",
                        paused=True,
                        note="held until launch",
                        args={"region": "'us'", "days": "1"},
                    ),
                    node("finish", "end", value="'report ' + input.region + ' ' + str(input.days)"),
                ],
                chain("start", "finish"),
                inputs={"region": "str", "days": "int"},
                output="str",
            )
        ],
    )


def schedules_module(modules: dict[str, ModuleType]) -> ModuleType:
    return importlib.import_module(f"{modules['package'].__name__}.schedules")


async def schedule_ids(client: Client, prefix: str) -> list[str]:
    return sorted(
        [item.id async for item in await client.list_schedules() if item.id.startswith(prefix)]
    )


async def test_schedule_apply_creates_then_updates_in_place(
    client: Client, package_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = unique_id("orx-schedule")
    hourly_id, weekday_id = f"{prefix}-hourly", f"{prefix}-weekday"
    first = import_package(
        schedule_project("orx-schedule-first", hourly_id, weekday_id, "90m"), package_dir
    )
    changed = import_package(
        schedule_project("orx-schedule-changed", hourly_id, weekday_id, "2h"), package_dir
    )
    hourly = client.get_schedule_handle(hourly_id)
    weekday = client.get_schedule_handle(weekday_id)
    try:
        async with running_worker(client, first) as task_queue:
            monkeypatch.setenv("TEMPORAL_TASK_QUEUE", task_queue)
            created = await schedules_module(first).apply(client)
            hourly_created = await hourly.describe()
            weekday_created = await weekday.describe()

            # triggering the interval schedule runs the workflow with the schedule's input
            await hourly.trigger()

            async def actions() -> int:
                return len((await hourly.describe()).info.recent_actions)

            assert await eventually(actions, 1) == 1
            action = (await hourly.describe()).info.recent_actions[0].action
            assert isinstance(action, ScheduleActionExecutionStartWorkflow)
            run = client.get_workflow_handle(
                action.workflow_id, run_id=action.first_execution_run_id
            )
            triggered = await asyncio.wait_for(run.result(), timeout=20)
            triggered_type = (await run.describe()).workflow_type

            again = await schedules_module(first).apply(client)
            hourly_again = await hourly.describe()
            weekday_again = await weekday.describe()
            listed = await eventually(lambda: schedule_ids(client, prefix), [hourly_id, weekday_id])

            # an operator pauses the interval schedule; a new definition keeps that pause
            await hourly.pause(note="paused for maintenance")
            edited = await schedules_module(changed).apply(client)
            hourly_edited = await hourly.describe()
            weekday_edited = await weekday.describe()
            listed_after_edit = await schedule_ids(client, prefix)
    finally:
        for handle in (hourly, weekday):
            with contextlib.suppress(RPCError):  # a schedule the test failed to create
                await handle.delete()

    assert created == [f"created {hourly_id}", f"created {weekday_id}"]
    # the interval schedule: spec, time zone, overlap, catch-up window, running
    spec = hourly_created.schedule.spec
    assert [interval.every for interval in spec.intervals] == [timedelta(minutes=90)]
    assert spec.cron_expressions == [] and spec.calendars == []
    assert spec.time_zone_name == "Europe/Berlin"
    policy = hourly_created.schedule.policy
    assert policy.overlap == ScheduleOverlapPolicy.BUFFER_ONE
    assert policy.catchup_window == timedelta(minutes=10)
    assert hourly_created.schedule.state.paused is False
    start_action = hourly_created.schedule.action
    assert isinstance(start_action, ScheduleActionStartWorkflow)
    assert start_action.workflow == "report"
    assert start_action.task_queue == task_queue
    assert [decode(client, arg) for arg in start_action.args] == [{"region": "eu", "days": 7}]
    # the cron schedule: 09:00 on weekdays in New York, paused with its note
    weekday_spec = weekday_created.schedule.spec
    assert weekday_spec.time_zone_name == "America/New_York"
    assert weekday_spec.intervals == []
    assert len(weekday_spec.calendars) + len(weekday_spec.cron_expressions) == 1
    upcoming = weekday_created.info.next_action_times
    assert len(upcoming) >= 5
    for moment in upcoming:
        local = moment.astimezone(ZoneInfo("America/New_York"))
        assert (local.hour, local.minute, local.second) == (9, 0, 0)
        assert local.isoweekday() in range(1, 6)
    assert weekday_created.schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    assert weekday_created.schedule.policy.catchup_window == timedelta(minutes=1)
    assert weekday_created.schedule.state.paused is True
    assert weekday_created.schedule.state.note == "held until launch"

    assert triggered == "report eu 7"
    assert triggered_type == "report"

    # applying again: updated in place, one schedule per definition, nothing changed
    assert again == [f"updated {hourly_id}", f"updated {weekday_id}"]
    assert listed == [hourly_id, weekday_id]
    assert hourly_again.schedule == hourly_created.schedule
    assert weekday_again.schedule == weekday_created.schedule
    assert hourly_again.info.created_at == hourly_created.info.created_at
    assert hourly_again.info.num_actions == 1

    # the interval changed in the document: only that changed on the server
    assert edited == [f"updated {hourly_id}", f"updated {weekday_id}"]
    assert listed_after_edit == [hourly_id, weekday_id]
    edited_spec = hourly_edited.schedule.spec
    assert [interval.every for interval in edited_spec.intervals] == [timedelta(hours=2)]
    assert dataclasses.replace(edited_spec, intervals=spec.intervals) == spec
    assert hourly_edited.schedule.policy == hourly_created.schedule.policy
    assert hourly_edited.schedule.state.paused is True
    assert hourly_edited.schedule.state.note == "paused for maintenance"
    assert hourly_edited.schedule.action == hourly_created.schedule.action
    assert weekday_edited.schedule == weekday_created.schedule


# results after a container


def result_after_container(workflow_id: str, container: str, error_port: bool) -> dict[str, Any]:
    """`box` (a retry or try) runs `probe` into `found`; the End after the box reads it."""
    nodes = [
        node("start", "start"),
        node("box", container, "Box"),
        node("get", "activity", parent="box", activity="probe", result="found"),
        node("finish", "end", value="found + '!'"),
    ]
    edges = [edge("start", "box"), edge("box", "finish")]
    if error_port:
        # the error path stops the workflow on its own: only a completed body reaches `finish`
        nodes.append(node("gave_up", "fail", message="no probe"))
        edges.append(edge("box", "gave_up", "exhausted" if container == "retry" else "error"))
    return workflow(workflow_id, nodes, edges, output="str")


async def test_a_result_bound_in_a_retry_or_try_is_read_after_it(
    client: Client, package_dir: Path
) -> None:
    shapes = [("retry", False), ("retry", True), ("try", False), ("try", True)]
    workflows = [
        result_after_container(f"{container}{'-port' if port else ''}", container, port)
        for container, port in shapes
    ]
    document = project("orx-result-after", workflows, [simulated("probe", {}, "str", "probed")])
    modules = import_package(document, package_dir)
    async with running_worker(client, modules) as task_queue:
        results = [
            await (await start(client, task_queue, wf["id"], None)).result() for wf in workflows
        ]
    assert results == ["probed!"] * 4


def test_a_result_is_not_read_where_a_failure_path_also_leads() -> None:
    """A Try whose error path joins the nodes after it: there the body may not have run."""
    shape = result_after_container("joined", "try", error_port=False)
    shape["nodes"].append(node("note", "set_state", assignments=[{"target": "x", "value": "1"}]))
    shape["edges"] += [edge("box", "note", "error"), edge("note", "finish")]
    result = compile_project(
        project("orx-result-joined", [shape], [simulated("probe", {}, "str", "probed")])
    )
    messages = [d.message for d in result.diagnostics if d.node_id == "finish"]
    assert len(messages) == 1 and "'found' is the result of 'get'" in messages[0]


def unknown_outcome_saga(workflow_id: str, even_if_unknown: bool) -> dict[str, Any]:
    """try(book flight, book hotel): the hotel's booking times out after it may have acted."""
    nodes = [
        node("start", "start"),
        node("saga", "try", "Trip saga"),
        node(
            "flight",
            "activity",
            "Book flight",
            parent="saga",
            activity="book",
            args={"what": "'flight'"},
            result="flight_token",
            compensation={"activity": "cancel", "args": {"token": "flight_token"}},
        ),
        node(
            "hotel",
            "activity",
            "Book hotel",
            parent="saga",
            activity="slow_book",
            args={"what": "'hotel'"},
            start_to_close_timeout="1s",
            retry={"maximum_attempts": 1},
            compensation={
                "activity": "cancel",
                "args": {"token": "'booking-hotel'"},
                "even_if_unknown": even_if_unknown,
            },
        ),
        node("booked", "end", value="'booked'"),
        node("rolled_back", "end", value="'rolled back: ' + error"),
    ]
    edges = [
        *chain("flight", "hotel"),
        *chain("start", "saga", "booked"),
        edge("saga", "rolled_back", "error"),
    ]
    return workflow(workflow_id, nodes, edges, output="str")


async def test_an_undo_for_an_unknown_outcome_runs_when_the_step_times_out(
    client: Client, package_dir: Path
) -> None:
    activities = [
        *saga_activities(),
        simulated("slow_book", {"what": "str"}, "str", "booking-{what}", delay_seconds=30),
    ]
    document = project(
        "orx-try-unknown-outcome",
        [unknown_outcome_saga("careful", True), unknown_outcome_saga("trusting", False)],
        activities,
    )
    modules = import_package(document, package_dir)
    async with running_worker(client, modules) as task_queue:
        careful = await start(client, task_queue, "careful", None)
        trusting = await start(client, task_queue, "trusting", None)
        outcomes = [await careful.result(), await trusting.result()]
        undone = [
            [item["token"] for item in activity_inputs(client, await events(handle))[2:]]
            for handle in (careful, trusting)
        ]
    assert all(outcome.startswith("rolled back: ") for outcome in outcomes)
    # the hotel may have been booked before its call timed out: undone only where asked
    assert undone == [["booking-hotel", "booking-flight"], ["booking-flight"]]


def test_an_undo_registered_first_cannot_read_the_result() -> None:
    saga = unknown_outcome_saga("careful", True)
    hotel = next(n for n in saga["nodes"] if n["id"] == "hotel")
    hotel["config"]["result"] = "hotel_token"
    hotel["config"]["compensation"]["args"] = {"token": "hotel_token"}
    result = compile_project(project("orx-undo-first", [saga], saga_activities()))
    found = [(d.node_id, d.field) for d in result.diagnostics if d.severity == "error"]
    assert ("hotel", "config.compensation.args.token") in found

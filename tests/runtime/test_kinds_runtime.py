"""Every node kind, compiled into a real package and run on the real dev server.

Each test builds a small graph, compiles and imports it, runs a worker on a fresh task queue and
asserts what a user of the kind would notice: values returned, state read back through queries,
retries and timers visible in the history, failures reaching the client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    RetryState,
    TimeoutType,
)
from temporalio.exceptions import (
    TimeoutError as TemporalTimeoutError,
)

from tests.support.harness import (
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

RUN_TIMEOUT = timedelta(seconds=20)
"""A broken workflow fails the test after this long instead of hanging the session."""


# helpers


def branch(source: str, target: str) -> dict[str, Any]:
    """An edge leaving a parallel through its `branch` port (the edge id stays unique)."""
    return edge(source, target, "branch")


async def start(client: Client, task_queue: str, name: str, arg: Any) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        name,
        arg,
        id=unique_id(name),
        task_queue=task_queue,
        execution_timeout=RUN_TIMEOUT,
    )


async def execute(client: Client, task_queue: str, name: str, arg: Any) -> Any:
    handle = await start(client, task_queue, name, arg)
    return await handle.result()


async def failure(handle: WorkflowHandle[Any, Any]) -> BaseException:
    """The cause of the workflow's failure (the test fails if the workflow completes)."""
    with pytest.raises(WorkflowFailureError) as raised:
        await handle.result()
    assert raised.value.cause is not None
    return raised.value.cause


async def failure_of(client: Client, task_queue: str, name: str, arg: Any) -> BaseException:
    return await failure(await start(client, task_queue, name, arg))


async def events(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    history = await handle.fetch_history()
    return list(history.events)


def of_type(found: list[HistoryEvent], event_type: int) -> list[HistoryEvent]:
    return [event for event in found if event.event_type == event_type]


async def eventually(
    read: Callable[[], Awaitable[Any]], expected: Any, timeout: float = 5.0
) -> Any:
    """Reads until the value equals `expected` or the time is up; returns the last value."""
    deadline = time.monotonic() + timeout
    value = await read()
    while value != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        value = await read()
    return value


def models_of(modules: dict[str, ModuleType]) -> ModuleType:
    return modules["models"]


# start / end


async def test_start_end_returns_value_computed_from_input(
    client: Client, package_dir: Path
) -> None:
    document = project(
        "kinds-start-end",
        [
            workflow(
                "compute",
                [
                    node("start", "start"),
                    node(
                        "finish",
                        "end",
                        value="{'sum': input.a + input.b, 'product': input.a * input.b}",
                    ),
                ],
                chain("start", "finish"),
                inputs={"a": "int", "b": "int"},
                output="dict[str, int]",
            ),
            workflow(
                "greet",
                [
                    node("start", "start"),
                    node("finish", "end", value="input.name + '=' + str(input.a * 2 + 1)"),
                ],
                chain("start", "finish"),
                inputs={"name": "str", "a": "int"},
                output="str",
            ),
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        computed = await execute(client, task_queue, "compute", models.ComputeInput(a=3, b=4))
        greeted = await execute(client, task_queue, "greet", models.GreetInput(name="x", a=20))
    assert computed == {"sum": 7, "product": 12}
    assert greeted == "x=41"


# activity


def one_call(workflow_id: str, activity: str, args: dict[str, str], **call: Any) -> dict[str, Any]:
    """start -> one activity call (input field -> argument) -> end returning its result."""
    return workflow(
        workflow_id,
        [
            node("start", "start"),
            node("call", "activity", activity=activity, args=args, result="outcome", **call),
            node("finish", "end", value="outcome"),
        ],
        chain("start", "call", "finish"),
        inputs={"key": "str"},
        output="str",
    )


def activity_project(project_id: str) -> dict[str, Any]:
    fast = {"initial_interval": "100ms", "backoff_coefficient": 1.0}
    flaky_by_default = simulated("flaky_by_default", {"key": "str"}, "str", "ok {key}")
    flaky_by_default["implementation"]["fail_attempts"] = 2
    flaky_by_default["defaults"] = {"retry": {**fast, "maximum_attempts": 3}}
    return project(
        project_id,
        [
            workflow(
                "use-result",
                [
                    node("start", "start"),
                    node(
                        "describe",
                        "activity",
                        activity="describe",
                        args={"n": "input.n + 1"},
                        result="report",
                    ),
                    node("finish", "end", value="report.text + ' x' + str(report.count * 2)"),
                ],
                chain("start", "describe", "finish"),
                inputs={"n": "int"},
                output="str",
            ),
            one_call(
                "retried", "flaky", {"key": "input.key"}, retry={**fast, "maximum_attempts": 5}
            ),
            one_call(
                "limited", "flaky", {"key": "input.key"}, retry={**fast, "maximum_attempts": 2}
            ),
            one_call("catalogue-retry", "flaky_by_default", {"key": "input.key"}),
            one_call("checked", "guarded", {"item": "input.key"}),
            one_call(
                "too-slow",
                "slow",
                {"key": "input.key"},
                start_to_close_timeout="500ms",
                retry={**fast, "maximum_attempts": 1},
            ),
        ],
        activities=[
            simulated("describe", {"n": "int"}, "Report", {"text": "item {n}", "count": "{n}"}),
            simulated("flaky", {"key": "str"}, "str", "ok {key}", fail_attempts=2),
            flaky_by_default,
            simulated(
                "guarded",
                {"item": "str"},
                "str",
                "processed {item}",
                fail_when={"item": "bad"},
                fail_message="cannot process {item}",
            ),
            simulated("slow", {"key": "str"}, "str", "{key}", delay_seconds=3.0),
        ],
        types={"Report": {"fields": {"text": "str", "count": "int"}}},
    )


def attempts(history: list[HistoryEvent]) -> list[int]:
    """The attempt number of each activity execution that was recorded as started."""
    started = of_type(history, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
    return [event.activity_task_started_event_attributes.attempt for event in started]


async def test_activity_result_is_bound_and_used_downstream(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(activity_project("kinds-activity-result"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        result = await execute(client, task_queue, "use-result", models.UseResultInput(n=4))
    # the activity got n + 1 = 5 and returned a typed Report whose fields the End reads
    assert result == "item 5 x10"


async def test_activity_retry_policy_completes_on_third_attempt(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(activity_project("kinds-activity-retry"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        # each retry waits about a second on the dev server: run the three side by side
        retried = await start(client, task_queue, "retried", models.RetriedInput(key="k1"))
        by_default = await start(
            client, task_queue, "catalogue-retry", models.CatalogueRetryInput(key="k3")
        )
        result, default_result, limited = await asyncio.gather(
            retried.result(),
            by_default.result(),
            failure_of(client, task_queue, "limited", models.LimitedInput(key="k2")),
        )
        retried_history, default_history = await events(retried), await events(by_default)
    assert result == "ok k1"
    assert attempts(retried_history) == [3]
    # the catalogue's default retry policy applies when the node sets none
    assert default_result == "ok k3"
    assert attempts(default_history) == [3]
    # the same activity with maximum_attempts=2 gives up after its second failed attempt
    assert isinstance(limited, ActivityError)
    assert limited.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED
    assert isinstance(limited.cause, ApplicationError)
    assert limited.cause.message == "simulated failure (attempt 2)"


async def test_activity_fail_when_fails_without_retrying(client: Client, package_dir: Path) -> None:
    modules = import_package(activity_project("kinds-activity-fail-when"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        good = await execute(client, task_queue, "checked", models.CheckedInput(key="fine"))
        handle = await start(client, task_queue, "checked", models.CheckedInput(key="bad"))
        cause = await failure(handle)
        history = await events(handle)
    assert good == "processed fine"
    assert isinstance(cause, ActivityError)
    assert cause.retry_state == RetryState.NON_RETRYABLE_FAILURE
    assert isinstance(cause.cause, ApplicationError)
    assert cause.cause.message == "cannot process bad"
    assert cause.cause.non_retryable
    # fail_when fails the first attempt for good: the retry policy never tries it again
    assert attempts(history) == [1]


async def test_activity_start_to_close_timeout_is_applied(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(activity_project("kinds-activity-timeout"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        began = time.monotonic()
        cause = await failure_of(client, task_queue, "too-slow", models.TooSlowInput(key="k"))
        elapsed = time.monotonic() - began
    assert isinstance(cause, ActivityError)
    assert isinstance(cause.cause, TemporalTimeoutError)
    assert cause.cause.type == TimeoutType.START_TO_CLOSE
    # the 3s activity is cut off by its 500ms start-to-close timeout
    assert elapsed < 2.5, elapsed


# agent


async def test_agent_fills_prompt_from_input(client: Client, package_dir: Path) -> None:
    document = project(
        "kinds-agent",
        [
            workflow(
                "ask",
                [
                    node("start", "start"),
                    node(
                        "think",
                        "agent",
                        activity="llm",
                        prompt="Summarise {input.topic} in {input.words * 2} words",
                        args={"tone": "'dry'"},
                        result="answer",
                    ),
                    node("finish", "end", value="answer"),
                ],
                chain("start", "think", "finish"),
                inputs={"topic": "str", "words": "int"},
                output="str",
            )
        ],
        activities=[simulated("llm", {"prompt": "str", "tone": "str"}, "str", "[{tone}] {prompt}")],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        result = await execute(client, task_queue, "ask", models.AskInput(topic="tides", words=5))
    assert result == "[dry] Summarise tides in 10 words"


# set_state + query


async def test_set_state_changes_are_read_by_a_query(client: Client, package_dir: Path) -> None:
    document = project(
        "kinds-set-state",
        [
            workflow(
                "counter",
                [
                    node("start", "start"),
                    node(
                        "first",
                        "set_state",
                        assignments=[
                            {"target": "state.count", "value": "input.n * 2"},
                            {"target": "state.notes", "value": "state.notes + ['doubled']"},
                        ],
                    ),
                    node("pause", "timer", duration="1s"),
                    node(
                        "second",
                        "set_state",
                        assignments=[
                            {"target": "state.count", "value": "state.count + 1"},
                            {"target": "total", "value": "state.count * 10"},
                        ],
                    ),
                    node("finish", "end", value="total + len(state.notes)"),
                    node("count", "query", name="count", value="state.count", returns="int"),
                    node("notes", "query", name="notes", value="state.notes", returns="list[str]"),
                ],
                chain("start", "first", "pause", "second", "finish"),
                inputs={"n": "int"},
                output="int",
                state=[
                    {"name": "count", "type": "int", "default": 0},
                    {"name": "notes", "type": "list[str]"},
                ],
            )
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "counter", models.CounterInput(n=3))
        while_waiting = await eventually(lambda: handle.query("count"), 6)
        notes = await handle.query("notes")
        running = (await handle.describe()).status
        result = await handle.result()
        after = await handle.query("count")
    assert while_waiting == 6
    assert notes == ["doubled"]
    assert running == WorkflowExecutionStatus.RUNNING
    # count = 7, the local `total` = 70, plus one note
    assert result == 71
    assert after == 7


async def test_state_of_project_types_starts_from_its_defaults(
    client: Client, package_dir: Path
) -> None:
    """A default written as JSON becomes a value of the field's type, zeros filling the rest."""
    document = project(
        "kinds-state-types",
        [
            workflow(
                "release",
                [
                    node("start", "start"),
                    node(
                        "add",
                        "set_state",
                        assignments=[
                            {
                                "target": "state.build",
                                "value": "Build(name=state.build.name, tags=state.build.tags, "
                                "parts=state.build.parts + [Part(n=5, weight=1.5)])",
                            }
                        ],
                    ),
                    node(
                        "finish",
                        "end",
                        value="state.build.name + ':' + str(sum([p.n for p in state.build.parts])) "
                        "+ ':' + str(state.build.parts[1].weight + state.build.parts[0].weight) "
                        "+ ':' + str(state.stamp.at.year) + ':' + str(state.spare.name == '')",
                    ),
                    node("build", "query", name="build", value="state.build", returns="Build"),
                ],
                chain("start", "add", "finish"),
                output="str",
                state=[
                    {
                        "name": "build",
                        "type": "Build",
                        "default": {"name": "x", "parts": [{"n": 2}]},
                    },
                    {
                        "name": "stamp",
                        "type": "Stamp",
                        "default": {"at": "2026-03-01T09:30:00+01:00"},
                    },
                    {"name": "spare", "type": "Build"},
                ],
            )
        ],
        types={
            "Part": {"fields": {"n": "int", "weight": "float"}},
            "Build": {"fields": {"name": "str", "tags": "list[str]", "parts": "list[Part]"}},
            "Stamp": {"fields": {"at": "datetime"}},
        },
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        result = await execute(client, task_queue, "release", models.ReleaseInput())
    assert result == "x:7:1.5:2026:True"


# signal


async def test_signal_with_params_changes_state_while_waiting(
    client: Client, package_dir: Path
) -> None:
    document = project(
        "kinds-signal",
        [
            workflow(
                "collector",
                [
                    node("start", "start"),
                    node("wait", "timer", duration="2s"),
                    node("finish", "end", value="state.items"),
                    node("add", "signal", name="add", params={"item": "str", "times": "int"}),
                    node(
                        "store",
                        "set_state",
                        assignments=[
                            {
                                "target": "state.items",
                                "value": "state.items + [input.label + ':' + payload.item] "
                                "* payload.times",
                            }
                        ],
                    ),
                    node("items", "query", name="items", value="state.items", returns="list[str]"),
                ],
                chain("start", "wait", "finish") + chain("add", "store"),
                inputs={"label": "str"},
                output="list[str]",
                state=[{"name": "items", "type": "list[str]"}],
            )
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    payload = models.CollectorAddSignal
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "collector", models.CollectorInput(label="L"))
        before = await eventually(lambda: handle.query("items"), [])
        await handle.signal("add", payload(item="x", times=2))
        await handle.signal("add", payload(item="y", times=1))
        seen = await eventually(lambda: handle.query("items"), ["L:x", "L:x", "L:y"])
        running = (await handle.describe()).status
        result = await handle.result()
    assert before == []
    assert seen == ["L:x", "L:x", "L:y"]
    assert running == WorkflowExecutionStatus.RUNNING
    assert result == ["L:x", "L:x", "L:y"]


# update


async def test_update_validator_rejects_and_accepts(client: Client, package_dir: Path) -> None:
    document = project(
        "kinds-update",
        [
            workflow(
                "limits",
                [
                    node("start", "start"),
                    node("wait", "timer", duration="2s"),
                    node("finish", "end", value="state.limit"),
                    node(
                        "set_limit",
                        "update",
                        name="set_limit",
                        params={"limit": "int"},
                        returns="int",
                        validator="payload.limit > 0",
                        validator_message="limit must be positive",
                    ),
                    node("too_high", "condition", expression="payload.limit > 100"),
                    node("refuse", "fail", message="limit {payload.limit} is too high"),
                    node(
                        "apply",
                        "set_state",
                        assignments=[{"target": "state.limit", "value": "payload.limit"}],
                    ),
                    node("reply", "end", value="state.limit * 10"),
                    node("limit", "query", name="limit", value="state.limit", returns="int"),
                ],
                [
                    *chain("start", "wait", "finish"),
                    edge("set_limit", "too_high"),
                    edge("too_high", "refuse", "true"),
                    edge("too_high", "apply", "false"),
                    edge("apply", "reply"),
                ],
                inputs={"owner": "str"},
                output="int",
                state=[{"name": "limit", "type": "int", "default": 1}],
            )
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    payload = models.LimitsSetLimitUpdate
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "limits", models.LimitsInput(owner="me"))
        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update("set_limit", payload(limit=-3))
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update("set_limit", payload(limit=500))
        after_refusals = await handle.query("limit")
        accepted = await handle.execute_update("set_limit", payload(limit=5))
        after_accept = await handle.query("limit")
        result = await handle.result()
    assert isinstance(rejected.value.cause, ApplicationError)
    assert rejected.value.cause.message == "limit must be positive"
    # a Fail node in the update's body fails the update, not the workflow
    assert isinstance(refused.value.cause, ApplicationError)
    assert refused.value.cause.message == "limit 500 is too high"
    assert after_refusals == 1
    assert accepted == 50
    assert after_accept == 5
    assert result == 5


# condition


async def test_condition_takes_the_matching_branch(client: Client, package_dir: Path) -> None:
    document = project(
        "kinds-condition",
        [
            workflow(
                "classify",
                [
                    node("start", "start"),
                    node("check", "condition", expression="input.n > 10"),
                    node(
                        "big",
                        "set_state",
                        assignments=[{"target": "state.label", "value": "'big'"}],
                    ),
                    node(
                        "small",
                        "set_state",
                        assignments=[{"target": "state.label", "value": "'small'"}],
                    ),
                    node("finish", "end", value="state.label + ':' + str(input.n)"),
                ],
                [
                    edge("start", "check"),
                    edge("check", "big", "true"),
                    edge("check", "small", "false"),
                    edge("big", "finish"),
                    edge("small", "finish"),
                ],
                inputs={"n": "int"},
                output="str",
                state=[{"name": "label", "type": "str", "default": "unset"}],
            )
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        high = await execute(client, task_queue, "classify", models.ClassifyInput(n=11))
        edge_case = await execute(client, task_queue, "classify", models.ClassifyInput(n=10))
    assert high == "big:11"
    assert edge_case == "small:10"


# switch


async def test_switch_takes_first_matching_case_or_default(
    client: Client, package_dir: Path
) -> None:
    document = project(
        "kinds-switch",
        [
            workflow(
                "route",
                [
                    node("start", "start"),
                    node(
                        "pick",
                        "switch",
                        cases=[
                            {"key": "low", "expression": "input.n < 10"},
                            {"key": "mid", "expression": "input.n < 100"},
                        ],
                    ),
                    node("low", "end", value="'low'"),
                    node("mid", "end", value="'mid'"),
                    node("other", "end", value="'other:' + str(input.n)"),
                ],
                [
                    edge("start", "pick"),
                    edge("pick", "low", "case:low"),
                    edge("pick", "mid", "case:mid"),
                    edge("pick", "other", "default"),
                ],
                inputs={"n": "int"},
                output="str",
            )
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        results = [
            await execute(client, task_queue, "route", models.RouteInput(n=n))
            for n in (5, 10, 99, 100)
        ]
    # 5 also satisfies the `mid` case: the first matching case wins
    assert results == ["low", "mid", "mid", "other:100"]


# parallel + join


def parallel_project(project_id: str, mode: str) -> dict[str, Any]:
    """Two workflows: `first` (a fast branch vs a slow one), `failing` (a failing branch first)."""

    def two_branches(
        workflow_id: str, left: tuple[str, str], right: tuple[str, str]
    ) -> dict[str, Any]:
        (left_activity, left_tag), (right_activity, right_tag) = left, right
        return workflow(
            workflow_id,
            [
                node("start", "start"),
                node("fan", "parallel", mode=mode),
                node(
                    "left",
                    "activity",
                    activity=left_activity,
                    args={"tag": repr(left_tag)},
                    result="left_out",
                ),
                node(
                    "note_left",
                    "set_state",
                    assignments=[{"target": "state.done", "value": "state.done + [left_out]"}],
                ),
                node(
                    "right",
                    "activity",
                    activity=right_activity,
                    args={"tag": repr(right_tag)},
                    result="right_out",
                ),
                node(
                    "note_right",
                    "set_state",
                    assignments=[{"target": "state.done", "value": "state.done + [right_out]"}],
                ),
                node("meet", "join"),
                node("finish", "end", value="state.done"),
            ],
            [
                edge("start", "fan"),
                branch("fan", "left"),
                branch("fan", "right"),
                edge("left", "note_left"),
                edge("right", "note_right"),
                edge("note_left", "meet"),
                edge("note_right", "meet"),
                edge("meet", "finish"),
            ],
            output="list[str]",
            state=[{"name": "done", "type": "list[str]"}],
        )

    return project(
        project_id,
        [
            two_branches("both", ("second", "a"), ("second", "b")),
            two_branches("first", ("quick", "quick"), ("slow", "slow")),
            two_branches("failing", ("broken", "broken"), ("medium", "medium")),
            two_branches("failing-slow", ("broken", "broken"), ("slow", "slow")),
            two_branches("all-broken", ("broken", "broken"), ("broken", "broken")),
        ],
        activities=[
            simulated("quick", {"tag": "str"}, "str", "{tag}"),
            simulated("second", {"tag": "str"}, "str", "{tag}", delay_seconds=1.0),
            simulated("medium", {"tag": "str"}, "str", "{tag}", delay_seconds=0.5),
            simulated("slow", {"tag": "str"}, "str", "{tag}", delay_seconds=4.0),
            simulated(
                "broken",
                {"tag": "str"},
                "str",
                "{tag}",
                fail_when={"tag": "broken"},
                fail_message="branch {tag} broke",
            ),
        ],
    )


def broken_branch(cause: BaseException) -> None:
    assert isinstance(cause, ActivityError)
    assert isinstance(cause.cause, ApplicationError)
    assert cause.cause.message == "branch broken broke"


def cancelled_activities(history: list[HistoryEvent]) -> int:
    return len(of_type(history, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED))


async def test_parallel_all_overlaps_branches_and_fails_fast(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(parallel_project("kinds-parallel-all", "all"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        began = time.monotonic()
        handle = await start(client, task_queue, "both", models.BothInput())
        result = await handle.result()
        elapsed = time.monotonic() - began
        history = await events(handle)
        began = time.monotonic()
        failing = await start(client, task_queue, "failing-slow", models.FailingSlowInput())
        cause = await failure(failing)
        failed_after = time.monotonic() - began
        failing_history = await events(failing)
    assert sorted(result) == ["a", "b"]
    # two activities of 1s each: together well under the 2s they would take one after the other
    assert elapsed < 1.8, elapsed
    scheduled = of_type(history, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    completed = of_type(history, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
    assert len(scheduled) == 2 and len(completed) == 2
    assert max(e.event_id for e in scheduled) < min(e.event_id for e in completed)
    # a failing branch fails the workflow at once and cancels the 4s branch
    broken_branch(cause)
    assert failed_after < 3.0, failed_after
    assert cancelled_activities(failing_history) == 1


async def test_parallel_race_against_a_deadline_branch_that_fails(
    client: Client, package_dir: Path
) -> None:
    """A timeout guard: the work races a branch that waits 1s and then fails."""

    def deadline(workflow_id: str, activity: str) -> dict[str, Any]:
        return workflow(
            workflow_id,
            [
                node("start", "start"),
                node("fan", "parallel", mode="race"),
                node("work", "activity", activity=activity, args={"tag": "input.item"}),
                node(
                    "note",
                    "set_state",
                    assignments=[{"target": "state.done", "value": "state.done + [input.item]"}],
                ),
                node("wait", "timer", duration="1s"),
                node("late", "fail", message="{input.item} missed its deadline"),
                node("meet", "join"),
                node("finish", "end", value="state.done"),
            ],
            [
                edge("start", "fan"),
                branch("fan", "work"),
                branch("fan", "wait"),
                edge("work", "note"),
                edge("note", "meet"),
                edge("wait", "late"),
                edge("meet", "finish"),
            ],
            inputs={"item": "str"},
            output="list[str]",
            state=[{"name": "done", "type": "list[str]"}],
        )

    document = project(
        "kinds-parallel-deadline",
        [deadline("in-time", "quick"), deadline("too-late", "slow")],
        activities=[
            simulated("quick", {"tag": "str"}, "str", "{tag}"),
            simulated("slow", {"tag": "str"}, "str", "{tag}", delay_seconds=4.0),
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        in_time = await execute(client, task_queue, "in-time", models.InTimeInput(item="a"))
        began = time.monotonic()
        cause = await failure_of(client, task_queue, "too-late", models.TooLateInput(item="b"))
        failed_after = time.monotonic() - began
    assert in_time == ["a"]
    assert isinstance(cause, ApplicationError)
    assert cause.message == "b missed its deadline"
    assert 1.0 <= failed_after < 3.0, failed_after


async def test_parallel_any_finishes_with_first_success(client: Client, package_dir: Path) -> None:
    modules = import_package(parallel_project("kinds-parallel-any", "any"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        began = time.monotonic()
        handle = await start(client, task_queue, "first", models.FirstInput())
        first = await handle.result()
        elapsed = time.monotonic() - began
        history = await events(handle)
        # the broken branch fails first; `any` keeps going and finishes with the other one
        after_failure = await execute(client, task_queue, "failing", models.FailingInput())
        # when every branch fails, so does the workflow
        all_failed = await failure_of(client, task_queue, "all-broken", models.AllBrokenInput())
    assert first == ["quick"]
    assert elapsed < 3.0, elapsed
    assert cancelled_activities(history) == 1
    assert after_failure == ["medium"]
    broken_branch(all_failed)


async def test_parallel_race_finishes_with_first_to_finish(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(parallel_project("kinds-parallel-race", "race"), package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        began = time.monotonic()
        handle = await start(client, task_queue, "first", models.FirstInput())
        first = await handle.result()
        elapsed = time.monotonic() - began
        history = await events(handle)
        # the broken branch finishes first: in a race its failure is the outcome
        cause = await failure_of(client, task_queue, "failing", models.FailingInput())
    assert first == ["quick"]
    assert elapsed < 3.0, elapsed
    assert cancelled_activities(history) == 1
    broken_branch(cause)


# phase


async def test_phase_runs_its_steps_in_order_and_reads_outer_results(
    client: Client, package_dir: Path
) -> None:
    def append(node_id: str, value: str) -> dict[str, Any]:
        return node(
            node_id,
            "set_state",
            parent="work",
            assignments=[{"target": "state.steps", "value": f"state.steps + [{value}]"}],
        )

    document = project(
        "kinds-phase",
        [
            workflow(
                "staged",
                [
                    node("start", "start"),
                    node(
                        "load",
                        "activity",
                        activity="fetch",
                        args={"key": "input.key"},
                        result="data",
                    ),
                    node("work", "phase", label="Work"),
                    # children listed out of order: the edges decide the order
                    append("s4", "'four'"),
                    append("s3", "'three:' + extra"),
                    node(
                        "s2",
                        "activity",
                        parent="work",
                        activity="fetch",
                        args={"key": "data"},
                        result="extra",
                    ),
                    append("s1", "'one:' + data"),
                    node("finish", "end", value="state.steps"),
                ],
                chain("start", "load", "work", "finish") + chain("s1", "s2", "s3", "s4"),
                inputs={"key": "str"},
                output="list[str]",
                state=[{"name": "steps", "type": "list[str]"}],
            )
        ],
        activities=[simulated("fetch", {"key": "str"}, "str", "data-{key}")],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "staged", models.StagedInput(key="k"))
        result = await handle.result()
        history = await events(handle)
    assert result == ["one:data-k", "three:data-data-k", "four"]
    # a phase runs inline in the same workflow, never as a child workflow
    assert not of_type(history, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
    assert len(of_type(history, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)) == 2


# timer


async def test_timer_waits_for_duration_and_until(client: Client, package_dir: Path) -> None:
    document = project(
        "kinds-timer",
        [
            workflow(
                "nap",
                [
                    node("start", "start"),
                    node("pause", "timer", duration="1500ms"),
                    node("finish", "end", value="'woke'"),
                ],
                chain("start", "pause", "finish"),
                output="str",
            ),
            workflow(
                "alarm",
                [
                    node("start", "start"),
                    node("pause", "timer", until="input.at"),
                    node("finish", "end", value="'rang'"),
                ],
                chain("start", "pause", "finish"),
                inputs={"at": "datetime"},
                output="str",
            ),
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        began = time.monotonic()
        handle = await start(client, task_queue, "nap", models.NapInput())
        napped = await handle.result()
        elapsed = time.monotonic() - began
        history = await events(handle)
        at = datetime.now(UTC) + timedelta(seconds=1.5)
        rang = await execute(client, task_queue, "alarm", models.AlarmInput(at=at))
        finished_at = datetime.now(UTC)
    assert napped == "woke"
    assert elapsed >= 1.5, elapsed
    timers = of_type(history, EventType.EVENT_TYPE_TIMER_STARTED)
    assert [
        e.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta() for e in timers
    ] == [timedelta(seconds=1.5)]
    assert rang == "rang"
    assert finished_at >= at


# child_workflow


async def test_child_workflow_waited_and_fire_and_forget(client: Client, package_dir: Path) -> None:
    document = project(
        "kinds-child",
        [
            workflow(
                "triple",
                [node("start", "start"), node("finish", "end", value="input.n * 3")],
                chain("start", "finish"),
                inputs={"n": "int"},
                output="int",
            ),
            workflow(
                "sleepy",
                [
                    node("start", "start"),
                    node("pause", "timer", duration="1s"),
                    node("finish", "end", value="input.n + 100"),
                ],
                chain("start", "pause", "finish"),
                inputs={"n": "int"},
                output="int",
            ),
            workflow(
                "parent",
                [
                    node("start", "start"),
                    node(
                        "call",
                        "child_workflow",
                        workflow="triple",
                        args={"n": "input.n + 1"},
                        id_template="triple-{input.tag}",
                        wait=True,
                        result="tripled",
                    ),
                    node(
                        "spawn",
                        "child_workflow",
                        workflow="sleepy",
                        args={"n": "tripled"},
                        id_template="sleepy-{input.tag}",
                        wait=False,
                        parent_close_policy="abandon",
                    ),
                    node("finish", "end", value="'tripled=' + str(tripled)"),
                ],
                chain("start", "call", "spawn", "finish"),
                inputs={"tag": "str", "n": "int"},
                output="str",
            ),
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    tag = unique_id("t")
    async with running_worker(client, modules) as task_queue:
        parent = await start(client, task_queue, "parent", models.ParentInput(tag=tag, n=4))
        result = await parent.result()
        waited = client.get_workflow_handle(f"triple-{tag}")
        waited_info = await waited.describe()
        forgotten = client.get_workflow_handle(f"sleepy-{tag}")
        forgotten_info = await forgotten.describe()
        forgotten_result = await forgotten.result()
    assert result == "tripled=15"
    assert waited_info.status == WorkflowExecutionStatus.COMPLETED
    assert waited_info.parent_id == parent.id
    assert await waited.result() == 15
    # the parent finished while the fire-and-forget child was still sleeping
    assert forgotten_info.status == WorkflowExecutionStatus.RUNNING
    assert forgotten_info.parent_id == parent.id
    assert forgotten_result == 115


async def test_a_child_is_asked_to_cancel_when_its_parent_fails(
    client: Client, package_dir: Path
) -> None:
    """By default a child whose parent closes first is asked to cancel, not terminated: its
    own Try undoes what it did, and it ends CANCELED."""
    deploy = workflow(
        "deploy",
        [
            node("start", "start"),
            node("saga", "try", "Deploy saga"),
            node(
                "roll_out",
                "activity",
                "Roll out",
                parent="saga",
                activity="roll_out",
                result="release",
                compensation={"activity": "roll_back", "args": {"release": "release"}},
            ),
            node("soak", "timer", parent="saga", duration="60s"),
            node("finish", "end"),
        ],
        [*chain("roll_out", "soak"), *chain("start", "saga", "finish")],
        inputs={"tag": "str"},
    )
    parent = workflow(
        "release-train",
        [
            node("start", "start"),
            node(
                "launch",
                "child_workflow",
                workflow="deploy",
                args={"tag": "input.tag"},
                id_template="deploy-{input.tag}",
                wait=False,
            ),
            node("settle", "timer", duration="1s"),
            node("broken", "fail", message="the train derailed"),
        ],
        chain("start", "launch", "settle", "broken"),
        inputs={"tag": "str"},
    )
    activities = [
        simulated("roll_out", {}, "str", "release-1"),
        simulated("roll_back", {"release": "str"}, "None", None),
    ]
    modules = import_package(
        project("kinds-child-close", [deploy, parent], activities), package_dir
    )
    models = models_of(modules)
    tag = unique_id("t")
    async with running_worker(client, modules) as task_queue:
        train = await start(client, task_queue, "release-train", models.ReleaseTrainInput(tag=tag))
        cause = await failure(train)
        child = client.get_workflow_handle(f"deploy-{tag}")
        deadline = time.monotonic() + 60
        described = await child.describe()
        while described.status == WorkflowExecutionStatus.RUNNING and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            described = await child.describe()
        found = await events(child)
    assert isinstance(cause, ApplicationError)
    assert cause.message == "the train derailed"
    assert described.status == WorkflowExecutionStatus.CANCELED
    # the child's own undo ran before it ended
    scheduled = of_type(found, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    names = [e.activity_task_scheduled_event_attributes.activity_type.name for e in scheduled]
    assert names == ["roll_out", "roll_back"]
    assert len(of_type(found, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)) == 2


async def test_input_fields_with_defaults_may_be_left_out(
    client: Client, package_dir: Path
) -> None:
    greet = workflow(
        "greet",
        [
            node("start", "start"),
            node(
                "finish",
                "end",
                value="input.greeting + ', ' + input.name + ' ' + str(input.tags) + ' '"
                " + str(input.rounds)",
            ),
        ],
        chain("start", "finish"),
        inputs={"name": "str", "greeting": "str", "tags": "list[str]", "rounds": "int"},
        output="str",
    )
    greet["input_defaults"] = {"greeting": "Hello", "tags": ["new"]}
    caller = workflow(
        "caller",
        [
            node("start", "start"),
            node(
                "call",
                "child_workflow",
                workflow="greet",
                args={"name": "'child'", "rounds": "2"},
                id_template="greet-{input.tag}",
                result="greeted",
            ),
            node("finish", "end", value="greeted"),
        ],
        chain("start", "call", "finish"),
        inputs={"tag": "str"},
        output="str",
    )
    modules = import_package(project("kinds-input-defaults", [greet, caller]), package_dir)
    models = models_of(modules)
    built = models.GreetInput(name="Ada", rounds=1)
    built.tags.append("mine")
    async with running_worker(client, modules) as task_queue:
        # a start from elsewhere (another SDK, the CLI) may send only the required fields
        from_json = await execute(client, task_queue, "greet", {"name": "Ada", "rounds": 1})
        given = await execute(
            client, task_queue, "greet", models.GreetInput(name="Bo", rounds=0, greeting="Hi")
        )
        called = await execute(client, task_queue, "caller", models.CallerInput(tag=unique_id("t")))
    assert from_json == "Hello, Ada ['new'] 1"
    assert given == "Hi, Bo ['new'] 0"
    assert called == "Hello, child ['new'] 2"
    # each input gets its own list
    assert models.GreetInput(name="Cy", rounds=0).tags == ["new"]
    assert built.tags == ["new", "mine"]


async def test_a_workflow_needing_no_input_starts_without_any(
    client: Client, package_dir: Path
) -> None:
    """`temporal workflow start --type tick` sends no input at all: a workflow whose input
    fields all have defaults (or that has none) runs on them, one with a required field still
    takes it."""
    tick = workflow(
        "tick",
        [node("start", "start"), node("finish", "end", value="'tick'")],
        chain("start", "finish"),
        output="str",
    )
    hello = workflow(
        "hello",
        [node("start", "start"), node("finish", "end", value="'hello ' + input.name")],
        chain("start", "finish"),
        inputs={"name": "str"},
        output="str",
    )
    hello["input_defaults"] = {"name": "world"}
    modules = import_package(project("kinds-no-input", [tick, hello]), package_dir)
    async with running_worker(client, modules) as task_queue:
        handles = [
            await client.start_workflow(
                name, id=unique_id(name), task_queue=task_queue, execution_timeout=RUN_TIMEOUT
            )
            for name in ("tick", "hello")
        ]
        results = [await handle.result() for handle in handles]
        named = await execute(client, task_queue, "hello", {"name": "Ada"})
    assert results == ["tick", "hello world"]
    assert named == "hello Ada"


# signal_external


async def test_signal_external_reaches_a_running_workflow(
    client: Client, package_dir: Path
) -> None:
    document = project(
        "kinds-signal-external",
        [
            workflow(
                "inbox",
                [
                    node("start", "start"),
                    node("wait", "timer", duration="2s"),
                    node("finish", "end", value="state.messages"),
                    node("deliver", "signal", name="deliver", params={"text": "str"}),
                    node(
                        "store",
                        "set_state",
                        assignments=[
                            {"target": "state.messages", "value": "state.messages + [payload.text]"}
                        ],
                    ),
                    node(
                        "messages",
                        "query",
                        name="messages",
                        value="state.messages",
                        returns="list[str]",
                    ),
                ],
                chain("start", "wait", "finish") + chain("deliver", "store"),
                inputs={"owner": "str"},
                output="list[str]",
                state=[{"name": "messages", "type": "list[str]"}],
            ),
            workflow(
                "post",
                [
                    node("start", "start"),
                    node(
                        "typed",
                        "signal_external",
                        workflow_id="{input.target}",
                        signal="deliver",
                        workflow="inbox",
                        args={"text": "input.text + '!'"},
                    ),
                    node(
                        "untyped",
                        "signal_external",
                        workflow_id="{input.target}",
                        signal="deliver",
                        args={"text": "input.text + '?'"},
                    ),
                    node("finish", "end", value="'sent to ' + input.target"),
                ],
                chain("start", "typed", "untyped", "finish"),
                inputs={"target": "str", "text": "str"},
                output="str",
            ),
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        inbox = await start(client, task_queue, "inbox", models.InboxInput(owner="me"))
        sent = await execute(
            client, task_queue, "post", models.PostInput(target=inbox.id, text="hi")
        )
        seen = await eventually(lambda: inbox.query("messages"), ["hi!", "hi?"])
        running = (await inbox.describe()).status
        final = await inbox.result()
    assert sent == f"sent to {inbox.id}"
    assert seen == ["hi!", "hi?"]
    assert running == WorkflowExecutionStatus.RUNNING
    assert final == ["hi!", "hi?"]


async def test_signal_to_a_child_goes_through_its_start_handle(
    client: Client, package_dir: Path
) -> None:
    """A branch signals the child another branch is starting: the signal waits until the
    child has started and goes through the handle of that start, so it is delivered instead
    of failing with "workflow not found" while the start is in flight."""
    inbox = workflow(
        "inbox",
        [
            node("start", "start"),
            node("wait", "timer", duration="1s"),
            node("finish", "end", value="state.messages"),
            node("deliver", "signal", name="deliver", params={"text": "str"}),
            node(
                "store",
                "set_state",
                assignments=[
                    {"target": "state.messages", "value": "state.messages + [payload.text]"}
                ],
            ),
        ],
        chain("start", "wait", "finish") + chain("deliver", "store"),
        output="list[str]",
        state=[{"name": "messages", "type": "list[str]"}],
    )
    parent = workflow(
        "parent",
        [
            node("start", "start"),
            node("fan", "parallel", mode="all"),
            node("kid", "child_workflow", workflow="inbox", result="received"),
            node("keep", "set_state", assignments=[{"target": "state.got", "value": "received"}]),
            node("tell", "signal_external", child="kid", signal="deliver", args={"text": "'hi'"}),
            node("meet", "join"),
            node("finish", "end", value="state.got"),
        ],
        [
            edge("start", "fan"),
            branch("fan", "kid"),
            branch("fan", "tell"),
            edge("kid", "keep"),
            edge("keep", "meet"),
            edge("tell", "meet"),
            edge("meet", "finish"),
        ],
        output="list[str]",
        state=[{"name": "got", "type": "list[str]"}],
    )
    modules = import_package(project("kinds-signal-child", [inbox, parent]), package_dir)
    async with running_worker(client, modules) as task_queue:
        received = await execute(client, task_queue, "parent", None)
    assert received == ["hi"]


# fail


async def test_fail_fails_the_workflow_with_its_message(client: Client, package_dir: Path) -> None:
    document = project(
        "kinds-fail",
        [
            workflow(
                "reject",
                [
                    node("start", "start"),
                    node("guard", "condition", expression="input.order > 0"),
                    node(
                        "no",
                        "fail",
                        message="order {input.order} rejected: {input.reason}",
                        error_type="OrderRejected",
                    ),
                    node("nothing", "end", value="'nothing to do'"),
                ],
                [
                    edge("start", "guard"),
                    edge("guard", "no", "true"),
                    edge("guard", "nothing", "false"),
                ],
                inputs={"order": "int", "reason": "str"},
                output="str",
            ),
            workflow(
                "checked-branches",
                [
                    node("start", "start"),
                    node("fan", "parallel", mode="all"),
                    node("guard", "condition", expression="input.order > 100"),
                    node("too_big", "fail", message="order {input.order} is too big"),
                    node(
                        "fine",
                        "set_state",
                        assignments=[{"target": "state.notes", "value": "state.notes + ['ok']"}],
                    ),
                    node(
                        "other",
                        "set_state",
                        assignments=[{"target": "state.notes", "value": "state.notes + ['x']"}],
                    ),
                    node("meet", "join"),
                    node("finish", "end", value="state.notes"),
                ],
                [
                    edge("start", "fan"),
                    branch("fan", "guard"),
                    branch("fan", "other"),
                    edge("guard", "too_big", "true"),
                    edge("guard", "fine", "false"),
                    edge("fine", "meet"),
                    edge("other", "meet"),
                    edge("meet", "finish"),
                ],
                inputs={"order": "int"},
                output="list[str]",
                state=[{"name": "notes", "type": "list[str]"}],
            ),
        ],
    )
    modules = import_package(document, package_dir)
    models = models_of(modules)
    async with running_worker(client, modules) as task_queue:
        cause = await failure_of(
            client, task_queue, "reject", models.RejectInput(order=7, reason="no stock")
        )
        other = await execute(client, task_queue, "reject", models.RejectInput(order=0, reason=""))
        in_branch = await failure_of(
            client, task_queue, "checked-branches", models.CheckedBranchesInput(order=500)
        )
        passed = await execute(
            client, task_queue, "checked-branches", models.CheckedBranchesInput(order=5)
        )
    assert isinstance(cause, ApplicationError)
    assert cause.message == "order 7 rejected: no stock"
    assert cause.type == "OrderRejected"
    assert cause.non_retryable
    assert other == "nothing to do"
    # a Fail inside a parallel branch fails the whole workflow too
    assert isinstance(in_branch, ApplicationError)
    assert in_branch.message == "order 500 is too big"
    assert sorted(passed) == ["ok", "x"]

"""Expressions that read the run itself, compiled and run on the dev server.

`run_id`, `parent_id` and `workflow_attempt` read the workflow's info; `random()` and `uuid4()`
draw from the run's deterministic randomness, so a replay of the history draws the same values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError
from temporalio.worker import Replayer

from compiler import compile_project
from tests.support.harness import chain, import_package, node, project, running_worker, unique_id


def reader(workflow_id: str) -> dict[str, Any]:
    value = (
        "{'run_id': run_id, 'parent_id': parent_id or '', 'attempt': str(workflow_attempt), "
        "'token': uuid4(), 'draw': str(random()), 'again': uuid4()}"
    )
    return {
        "id": workflow_id,
        "name": workflow_id,
        "input": {},
        "output": "dict[str, str]",
        "state": [],
        "nodes": [
            node("start", "start"),
            node("read", "set_state", assignments=[{"target": "seen", "value": value}]),
            node("finish", "end", value="seen"),
        ],
        "edges": chain("start", "read", "finish"),
    }


def caller() -> dict[str, Any]:
    return {
        "id": "caller",
        "name": "caller",
        "input": {},
        "output": "dict[str, str]",
        "state": [],
        "nodes": [
            node("start", "start"),
            node("call", "child_workflow", workflow="reader", result="seen"),
            node("finish", "end", value="seen"),
        ],
        "edges": chain("start", "call", "finish"),
    }


async def test_run_names_and_deterministic_draws(client: Client, package_dir: Path) -> None:
    modules = import_package(project("expr-run-info", [reader("reader"), caller()]), package_dir)
    worker = modules["worker"]
    async with running_worker(client, modules) as task_queue:
        alone = await client.start_workflow("reader", id=unique_id("reader"), task_queue=task_queue)
        seen = await alone.result()
        parent = await client.start_workflow(
            "caller", id=unique_id("caller"), task_queue=task_queue
        )
        from_child = await parent.result()
        history = await alone.fetch_history()
    assert seen["run_id"] == alone.result_run_id
    assert seen["parent_id"] == ""
    assert seen["attempt"] == "1"
    assert len(seen["token"]) == 36 and seen["token"] != seen["again"]
    assert 0.0 <= float(seen["draw"]) < 1.0
    assert from_child["parent_id"] == parent.id
    # a replay draws the same values from the run's seed: no nondeterminism
    replayed = await Replayer(workflows=worker.WORKFLOWS).replay_workflow(history)
    assert replayed.replay_failure is None


@pytest.mark.parametrize("kind", ["query", "schedule"])
def test_draws_are_refused_where_no_run_draws_them(kind: str) -> None:
    nodes = [node("start", "start"), node("finish", "end")]
    if kind == "query":
        nodes.append(node("peek", "query", name="peek", value="uuid4()", returns="str"))
    else:
        nodes.append(node("nightly", "schedule", cron=["0 3 * * *"], args={"tag": "uuid4()"}))
    document = project(
        f"expr-refused-{kind}",
        [
            {
                "id": "flow",
                "name": "flow",
                "input": {"tag": "str"},
                "output": "None",
                "state": [],
                "nodes": nodes,
                "edges": chain("start", "finish"),
            }
        ],
    )
    result = compile_project(document)
    messages = [d.message for d in result.diagnostics if d.severity == "error"]
    assert any("deterministic randomness" in message for message in messages), messages


def patient(workflow_id: str, delay: str, patience: str) -> dict[str, Any]:
    """A timer for `delay`, then a gate that nobody opens, timing out after `patience`."""
    return {
        "id": workflow_id,
        "name": workflow_id,
        "input": {"delay_seconds": "float", "patience_seconds": "int", "word": "str"},
        "output": "str",
        "state": [{"name": "opened", "type": "bool"}],
        "nodes": [
            node("start", "start"),
            node("nap", "timer", duration=delay),
            node("gate", "wait", approved_when="state.opened", timeout=patience),
            node("opened", "end", value="'opened'"),
            node("late", "end", value="'late'"),
        ],
        "edges": [
            *chain("start", "nap", "gate"),
            {"id": "a", "source": "gate", "source_handle": "approved", "target": "opened"},
            {"id": "t", "source": "gate", "source_handle": "timeout", "target": "late"},
        ],
    }


async def test_durations_read_from_the_input(client: Client, package_dir: Path) -> None:
    document = project(
        "expr-durations",
        [patient("patient", "input.delay_seconds", "input.patience_seconds * 2")],
    )
    modules = import_package(document, package_dir)
    models = modules["models"]
    async with running_worker(client, modules) as task_queue:
        handle = await client.start_workflow(
            "patient",
            models.PatientInput(delay_seconds=0.25, patience_seconds=1, word="x"),
            id=unique_id("patient"),
            task_queue=task_queue,
        )
        outcome = await handle.result()
        history = await handle.fetch_history()
    timers = [
        event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta().total_seconds()
        for event in history.events
        if event.HasField("timer_started_event_attributes")
    ]
    assert outcome == "late"
    assert timers == [0.25, 2.0]


def test_a_duration_expression_gives_seconds() -> None:
    result = compile_project(project("expr-duration-text", [patient("p", "input.word", "1h")]))
    found = [(d.code, d.node_id, d.field) for d in result.diagnostics]
    assert found == [("E206", "nap", "config.duration")]
    assert "is str; a duration is written like 30s" in result.diagnostics[0].message


async def test_an_activity_timeout_read_from_the_input(client: Client, package_dir: Path) -> None:
    """A call's start-to-close timeout given in seconds by the run's input: a slow call fails
    on it, a patient one does not."""
    flow = {
        "id": "timed",
        "name": "timed",
        "input": {"allowed_seconds": "int"},
        "output": "str",
        "state": [],
        "nodes": [
            node("start", "start"),
            node(
                "slow",
                "activity",
                activity="slow_step",
                start_to_close_timeout="input.allowed_seconds",
                retry={"maximum_attempts": 1},
                result="answer",
            ),
            node("finish", "end", value="answer"),
        ],
        "edges": chain("start", "slow", "finish"),
    }
    step = {
        "name": "slow_step",
        "input": {},
        "output": "str",
        "implementation": {"kind": "simulate", "result": "done", "delay_seconds": 2},
    }
    modules = import_package(project("expr-activity-timeout", [flow], [step]), package_dir)
    models = modules["models"]
    async with running_worker(client, modules) as task_queue:
        patient = await client.start_workflow(
            "timed", models.TimedInput(allowed_seconds=30), id=unique_id("t"), task_queue=task_queue
        )
        hasty = await client.start_workflow(
            "timed", models.TimedInput(allowed_seconds=1), id=unique_id("t"), task_queue=task_queue
        )
        answer = await patient.result()
        with pytest.raises(WorkflowFailureError) as raised:
            await hasty.result()
    assert answer == "done"
    cause = raised.value.cause
    assert isinstance(cause, ActivityError)
    assert isinstance(cause.cause, TemporalTimeoutError)


async def test_retry_waits_read_from_the_input(client: Client, package_dir: Path) -> None:
    """A Retry container's first wait and cap, in seconds from the run's input: the backoff
    timers follow them."""
    flow = {
        "id": "backing",
        "name": "backing",
        "input": {"wait_seconds": "float"},
        "output": "None",
        "state": [],
        "nodes": [
            node("start", "start"),
            node(
                "again",
                "retry",
                initial_interval="input.wait_seconds",
                maximum_interval="input.wait_seconds * 2",
                max_attempts=4,
            ),
            node(
                "flaky",
                "activity",
                parent="again",
                activity="always_fails",
                retry={"maximum_attempts": 1},
            ),
            node("finish", "end"),
        ],
        "edges": chain("start", "again", "finish"),
    }
    step = {
        "name": "always_fails",
        "input": {},
        "output": "None",
        "implementation": {"kind": "simulate", "fail_attempts": 99},
    }
    modules = import_package(project("expr-retry-waits", [flow], [step]), package_dir)
    models = modules["models"]
    async with running_worker(client, modules) as task_queue:
        handle = await client.start_workflow(
            "backing",
            models.BackingInput(wait_seconds=0.2),
            id=unique_id("b"),
            task_queue=task_queue,
        )
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        history = await handle.fetch_history()
    timers = [
        event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta().total_seconds()
        for event in history.events
        if event.HasField("timer_started_event_attributes")
    ]
    assert timers == [0.2, 0.4, 0.4]


def test_a_retry_wait_must_give_seconds() -> None:
    flow = {
        "id": "backing",
        "name": "backing",
        "input": {"word": "str"},
        "output": "None",
        "state": [],
        "nodes": [
            node("start", "start"),
            node("again", "retry", initial_interval="input.word"),
            node("nap", "timer", parent="again", duration="1s"),
            node("finish", "end"),
        ],
        "edges": chain("start", "again", "finish"),
    }
    result = compile_project(project("expr-retry-text", [flow]))
    found = [(d.code, d.node_id, d.field) for d in result.diagnostics if d.severity == "error"]
    assert found == [("E206", "again", "config.initial_interval")]

"""Re-records the histories the per-node state goldens read, on a real Temporal dev server.

    .venv/bin/python -m tests.runtime.record_histories [NAME ...]

Each scenario compiles a small project, runs it on a worker and saves, under
tests/runtime/histories/:

- `<name>.json`: the run's history (`WorkflowHistory.to_json()`; a continue-as-new chain is
  one history holding every run's events in order),
- `<name>.workflow.json`: the workflow document the state is mapped onto,
- `<name>.extra.json`: what the live API would add (the `pending_gates` query), when any.

Then it rewrites the goldens (`<name>.expected.json`) from the stored histories; read the diff
before committing it: the tests also assert the meaning of each golden by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import History
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.support.harness import (
    assign,
    chain,
    edge,
    import_package,
    node,
    project,
    simulated,
    workflow,
)

HISTORIES = Path(__file__).with_name("histories")
RUN_TIMEOUT = timedelta(seconds=30)


FAST = {"initial_interval": "100ms", "maximum_attempts": 3}
"""An activity retry policy that retries quickly."""


@dataclass
class Recorded:
    histories: list[History]
    extra: dict[str, Any]


Driver = Callable[[Client, str, ModuleType], Awaitable[Recorded]]


@dataclass
class Scenario:
    name: str
    document: dict[str, Any]
    workflow: str
    drive: Driver


# helpers for drivers


async def start(client: Client, task_queue: str, name: str, arg: Any) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        name,
        arg,
        id=f"{name}-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
        execution_timeout=RUN_TIMEOUT,
    )


async def settle(handle: WorkflowHandle[Any, Any]) -> None:
    """Waits for the run (and its chain) to close, whatever the outcome."""
    with contextlib.suppress(Exception):  # a failed or cancelled run is an outcome here
        await handle.result()


async def chain_of(client: Client, handle: WorkflowHandle[Any, Any]) -> list[History]:
    """Every run of the chain the handle started, first to last."""
    runs: list[History] = []
    run_id: str | None = handle.first_execution_run_id or handle.result_run_id
    while run_id is not None:
        history = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        runs.append(_proto(history.events))
        closing = history.events[-1]
        if closing.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            run_id = (
                closing.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            )
        else:
            run_id = None
    return runs


def _proto(events: Any) -> History:
    proto = History()
    proto.events.extend(events)
    return proto


async def finished(client: Client, handle: WorkflowHandle[Any, Any]) -> Recorded:
    await settle(handle)
    return Recorded(await chain_of(client, handle), {})


async def until(read: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await read():
        if loop.time() > deadline:
            raise TimeoutError("the run never reached the expected point")
        await asyncio.sleep(0.05)


async def has_event(handle: WorkflowHandle[Any, Any], event_type: int) -> bool:
    history = await handle.fetch_history()
    return any(event.event_type == event_type for event in history.events)


# scenarios


def sequence_scenario() -> Scenario:
    document = project(
        "ns-sequence",
        [
            workflow(
                "sequence",
                [
                    node("start", "start"),
                    node(
                        "fetch",
                        "activity",
                        "Fetch order",
                        activity="fetch",
                        args={"key": "input.key"},
                        result="order",
                        retry=FAST,
                    ),
                    assign("keep", state_order="order"),
                    node("pause", "timer", "Short pause", duration="300ms"),
                    node(
                        "ship",
                        "activity",
                        "Ship it",
                        activity="ship",
                        args={"order": "state.order"},
                        result="receipt",
                    ),
                    node("finish", "end", value="receipt"),
                ],
                chain("start", "fetch", "keep", "pause", "ship", "finish"),
                inputs={"key": "str"},
                output="str",
                state=[{"name": "order", "type": "str", "default": ""}],
            )
        ],
        [
            simulated("fetch", {"key": "str"}, "str", "order-{key}", fail_attempts=1),
            simulated("ship", {"order": "str"}, "str", "shipped {order}"),
        ],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "sequence", models.SequenceInput(key="k1"))
        return await finished(client, handle)

    return Scenario("sequence", document, "sequence", drive)


def failed_step_scenario() -> Scenario:
    document = project(
        "ns-failed-step",
        [
            workflow(
                "charge",
                [
                    node("start", "start"),
                    node(
                        "check",
                        "activity",
                        "Check card",
                        activity="check",
                        args={"card": "input.card"},
                    ),
                    node(
                        "pay",
                        "activity",
                        "Charge card",
                        activity="charge",
                        args={"card": "input.card"},
                        retry={"initial_interval": "100ms", "maximum_attempts": 2},
                    ),
                    node("finish", "end"),
                ],
                chain("start", "check", "pay", "finish"),
                inputs={"card": "str"},
            )
        ],
        [
            simulated("check", {"card": "str"}, "None", None),
            simulated(
                "charge", {"card": "str"}, "None", None, fail_attempts=5, fail_message="declined"
            ),
        ],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "charge", models.ChargeInput(card="0000"))
        return await finished(client, handle)

    return Scenario("failed_step", document, "charge", drive)


def loop_document(project_id: str, workflow_id: str, concurrency: int) -> dict[str, Any]:
    return project(
        project_id,
        [
            workflow(
                workflow_id,
                [
                    node("start", "start"),
                    node(
                        "each",
                        "loop",
                        "Each item",
                        items="input.items",
                        concurrency=concurrency,
                    ),
                    node(
                        "work",
                        "activity",
                        "Work on item",
                        parent="each",
                        activity="work",
                        args={"item": "item"},
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
        [simulated("work", {"item": "str"}, "str", "done {item}", delay_seconds=0.1)],
    )


def loop_scenario() -> Scenario:
    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(
            client, task_queue, "each-item", models.EachItemInput(items=["a", "b", "c"])
        )
        return await finished(client, handle)

    return Scenario("loop", loop_document("ns-loop", "each-item", 1), "each-item", drive)


def concurrent_loop_scenario() -> Scenario:
    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        items = [f"i{n}" for n in range(6)]
        handle = await start(client, task_queue, "fan-out", models.FanOutInput(items=items))
        return await finished(client, handle)

    document = loop_document("ns-concurrent-loop", "fan-out", 3)
    return Scenario("concurrent_loop", document, "fan-out", drive)


def retry_scenario() -> Scenario:
    document = project(
        "ns-retry",
        [
            workflow(
                "flaky",
                [
                    node("start", "start"),
                    node(
                        "again",
                        "retry",
                        "Again",
                        backoff="fixed",
                        initial_interval="200ms",
                        max_attempts=4,
                    ),
                    assign("count", parent="again", state_runs="state.runs + 1"),
                    node(
                        "call",
                        "activity",
                        "Try once",
                        parent="again",
                        activity="try_once",
                        args={"should_fail": "attempt < 3", "attempt": "attempt"},
                        result="succeeded",
                        retry={"maximum_attempts": 1},
                    ),
                    node("finish", "end", value="state.runs"),
                ],
                [*chain("count", "call"), edge("start", "again"), edge("again", "finish")],
                output="int",
                state=[{"name": "runs", "type": "int", "default": 0}],
            )
        ],
        [
            simulated(
                "try_once",
                {"should_fail": "bool", "attempt": "int"},
                "int",
                "{attempt}",
                fail_when={"should_fail": True},
                fail_message="attempt {attempt} failed",
            )
        ],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "flaky", None)
        return await finished(client, handle)

    return Scenario("retry", document, "flaky", drive)


def parallel_scenario() -> Scenario:
    document = project(
        "ns-parallel",
        [
            workflow(
                "fan",
                [
                    node("start", "start"),
                    node("fan", "parallel", "Both sides", mode="all"),
                    node(
                        "left",
                        "activity",
                        "Left",
                        activity="side",
                        args={"name": "'left'"},
                    ),
                    node(
                        "right",
                        "activity",
                        "Right",
                        activity="side",
                        args={"name": "'right'"},
                    ),
                    assign("note_right", state_done="state.done + 1"),
                    node("meet", "join"),
                    node("finish", "end", value="state.done"),
                ],
                [
                    edge("start", "fan"),
                    edge("fan", "left", "branch"),
                    edge("fan", "right", "branch"),
                    edge("left", "meet"),
                    edge("right", "note_right"),
                    edge("note_right", "meet"),
                    edge("meet", "finish"),
                ],
                output="int",
                state=[{"name": "done", "type": "int", "default": 0}],
            )
        ],
        [simulated("side", {"name": "str"}, "str", "{name} done", delay_seconds=0.2)],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        return await finished(client, await start(client, task_queue, "fan", None))

    return Scenario("parallel", document, "fan", drive)


def try_scenario() -> Scenario:
    def step(node_id: str, label: str, activity: str, args: dict[str, str]) -> dict[str, Any]:
        return node(
            node_id,
            "activity",
            label,
            parent="saga",
            activity=activity,
            args=args,
            result=f"{node_id}_token",
            compensation={"activity": "cancel", "args": {"token": f"{node_id}_token"}},
        )

    document = project(
        "ns-try",
        [
            workflow(
                "trip",
                [
                    node("start", "start"),
                    node("saga", "try", "Trip saga"),
                    step("flight", "Book flight", "book", {"what": "'flight'"}),
                    step("pay", "Charge card", "charge", {"card": "input.card"}),
                    node("booked", "end", value="'booked'"),
                    node("rolled_back", "end", value="'rolled back: ' + error"),
                ],
                [
                    *chain("flight", "pay"),
                    edge("start", "saga"),
                    edge("saga", "booked"),
                    edge("saga", "rolled_back", "error"),
                ],
                inputs={"card": "str"},
                output="str",
            )
        ],
        [
            simulated("book", {"what": "str"}, "str", "booking-{what}"),
            simulated(
                "charge",
                {"card": "str"},
                "str",
                "paid",
                fail_when={"card": "0000"},
                fail_message="card {card} declined",
            ),
            simulated("cancel", {"token": "str"}, "None", None),
        ],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "trip", models.TripInput(card="0000"))
        return await finished(client, handle)

    return Scenario("try", document, "trip", drive)


def doubling() -> dict[str, Any]:
    """A child workflow returning twice its input `n`."""
    return workflow(
        "double",
        [node("start", "start"), node("finish", "end", value="input.n * 2")],
        chain("start", "finish"),
        inputs={"n": "int"},
        output="int",
    )


def child_scenario() -> Scenario:
    document = project(
        "ns-child",
        [
            doubling(),
            workflow(
                "listener",
                [
                    node("start", "start"),
                    node(
                        "gate",
                        "wait",
                        "Poked",
                        gate="poke",
                        approved_when="state.poked",
                        timeout="20s",
                    ),
                    node("finish", "end"),
                    node("poke", "signal", name="poke"),
                    assign("mark", state_poked="True"),
                ],
                [edge("start", "gate"), edge("gate", "finish", "approved"), *chain("poke", "mark")],
                inputs={"n": "int"},
                state=[{"name": "poked", "type": "bool", "default": False}],
            ),
            workflow(
                "parent",
                [
                    node("start", "start"),
                    node(
                        "call",
                        "child_workflow",
                        "Double it",
                        workflow="double",
                        args={"n": "input.n"},
                        id_template="double-{input.tag}",
                        result="doubled",
                    ),
                    node(
                        "launch",
                        "child_workflow",
                        "Start listener",
                        workflow="listener",
                        args={"n": "doubled"},
                        id_template="listener-{input.tag}",
                        wait=False,
                        parent_close_policy="abandon",
                    ),
                    node(
                        "notify",
                        "signal_external",
                        "Poke listener",
                        workflow_id="listener-{input.tag}",
                        signal="poke",
                    ),
                    node("finish", "end", value="doubled"),
                ],
                chain("start", "call", "launch", "notify", "finish"),
                inputs={"tag": "str", "n": "int"},
                output="int",
            ),
        ],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        tag = uuid.uuid4().hex[:8]
        handle = await start(client, task_queue, "parent", models.ParentInput(tag=tag, n=21))
        recorded = await finished(client, handle)
        await settle(client.get_workflow_handle(f"listener-{tag}"))
        return recorded

    return Scenario("child", document, "parent", drive)


def spawn_scenario() -> Scenario:
    """Children spawned inside a phase, a step after them: the phase and that step ran once,
    while the spawning node started two children."""
    document = project(
        "ns-spawn",
        [
            doubling(),
            workflow(
                "fan-out",
                [
                    node("start", "start"),
                    node("build", "phase", "Build"),
                    node(
                        "spawn",
                        "spawn_children",
                        "Double each",
                        parent="build",
                        workflow="double",
                        items="input.numbers",
                        key="str(item)",
                        args={"n": "item"},
                        id_template="double-{input.tag}-{item}",
                        concurrency=2,
                        result="doubled",
                    ),
                    assign("record", parent="build", state_count="len(doubled['completed'])"),
                    node("finish", "end", value="state.count"),
                ],
                [*chain("start", "build", "finish"), *chain("spawn", "record")],
                inputs={"tag": "str", "numbers": "list[int]"},
                output="int",
                state=[{"name": "count", "type": "int", "default": 0}],
            ),
        ],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        tag = uuid.uuid4().hex[:8]
        arg = models.FanOutInput(tag=tag, numbers=[1, 2])
        return await finished(client, await start(client, task_queue, "fan-out", arg))

    return Scenario("spawn", document, "fan-out", drive)


def signal_scenario() -> Scenario:
    document = project(
        "ns-signal",
        [
            workflow(
                "inbox",
                [
                    node("start", "start"),
                    node("wait", "timer", "Collect", duration="2s"),
                    node("finish", "end", value="state.messages"),
                    node("deliver", "signal", "Deliver", name="deliver", params={"text": "str"}),
                    assign("store", state_messages="state.messages + [payload.text]"),
                ],
                [*chain("start", "wait", "finish"), *chain("deliver", "store")],
                output="list[str]",
                state=[{"name": "messages", "type": "list[str]", "default": []}],
            )
        ],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "inbox", None)
        await until(lambda: has_event(handle, EventType.EVENT_TYPE_TIMER_STARTED))
        await handle.signal("deliver", models.InboxDeliverSignal(text="hello"))
        await handle.signal("deliver", models.InboxDeliverSignal(text="again"))
        return await finished(client, handle)

    return Scenario("signal", document, "inbox", drive)


def gate_document() -> dict[str, Any]:
    return project(
        "ns-gate",
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
                        timeout="20s",
                    ),
                    node("approved", "end", value="'approved by ' + state.by"),
                    node("rejected", "end", value="'rejected by ' + state.by"),
                    node("expired", "end", value="'timed out'"),
                    node(
                        "decide",
                        "update",
                        "Decide",
                        name="decide",
                        params={"decision": "str", "by": "str"},
                        returns="str",
                    ),
                    assign("store", state_decision="payload.decision", state_by="payload.by"),
                    node("reply", "end", value="'noted'"),
                ],
                [
                    edge("start", "gate"),
                    edge("gate", "approved", "approved"),
                    edge("gate", "rejected", "rejected"),
                    edge("gate", "expired", "timeout"),
                    *chain("decide", "store", "reply"),
                ],
                output="str",
                state=[
                    {"name": "decision", "type": "str", "default": ""},
                    {"name": "by", "type": "str", "default": ""},
                ],
            )
        ],
    )


def gate_waiting_scenario() -> Scenario:
    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "review", None)
        await until(lambda: has_event(handle, EventType.EVENT_TYPE_TIMER_STARTED))
        gates = await handle.query("pending_gates")
        recorded = Recorded(await chain_of(client, handle), {"pending_gates": gates})
        await handle.terminate("recorded while waiting")
        return recorded

    return Scenario("gate_waiting", gate_document(), "review", drive)


def gate_update_scenario() -> Scenario:
    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "review", None)
        await until(lambda: has_event(handle, EventType.EVENT_TYPE_TIMER_STARTED))
        await handle.execute_update(
            "decide", models.ReviewDecideUpdate(decision="approved", by="Grace")
        )
        return await finished(client, handle)

    return Scenario("gate_update", gate_document(), "review", drive)


def branch_document() -> dict[str, Any]:
    """A condition whose taken arm waits at a gate, then charges a card that is declined."""
    return project(
        "ns-branch",
        [
            workflow(
                "order",
                [
                    node("start", "start"),
                    node("known", "condition", "Known card?", expression="input.card != ''"),
                    node("refuse", "end", value="'no card'"),
                    node(
                        "gate",
                        "wait",
                        "Sign-off",
                        gate="Sign-off",
                        approved_when="state.approved",
                        timeout="20s",
                    ),
                    node("expired", "end", value="'timed out'"),
                    node(
                        "pay",
                        "activity",
                        "Charge card",
                        activity="charge",
                        args={"card": "input.card"},
                        retry={"maximum_attempts": 1},
                    ),
                    node("finish", "end", value="'paid'"),
                    node("approve", "signal", "Approve", name="approve"),
                    assign("store", state_approved="True"),
                ],
                [
                    edge("start", "known"),
                    edge("known", "gate", "true"),
                    edge("known", "refuse", "false"),
                    edge("gate", "pay", "approved"),
                    edge("gate", "expired", "timeout"),
                    *chain("pay", "finish"),
                    *chain("approve", "store"),
                ],
                inputs={"card": "str"},
                output="str",
                state=[{"name": "approved", "type": "bool", "default": False}],
            )
        ],
        [
            simulated(
                "charge", {"card": "str"}, "None", None, fail_attempts=5, fail_message="declined"
            )
        ],
    )


def branch_waiting_scenario() -> Scenario:
    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "order", models.OrderInput(card="0000"))
        await until(lambda: has_event(handle, EventType.EVENT_TYPE_TIMER_STARTED))
        gates = await handle.query("pending_gates")
        recorded = Recorded(await chain_of(client, handle), {"pending_gates": gates})
        await handle.terminate("recorded while waiting")
        return recorded

    return Scenario("branch_waiting", branch_document(), "order", drive)


def branch_failed_scenario() -> Scenario:
    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "order", models.OrderInput(card="0000"))
        await until(lambda: has_event(handle, EventType.EVENT_TYPE_TIMER_STARTED))
        await handle.signal("approve")
        return await finished(client, handle)

    return Scenario("branch_failed", branch_document(), "order", drive)


def stuck_scenario() -> Scenario:
    """A signal to the workflow id the input names, given none: Temporal refuses the command,
    so the workflow task fails and is retried until the run is stopped."""
    document = project(
        "ns-stuck",
        [
            workflow(
                "notify",
                [
                    node("start", "start"),
                    node(
                        "poke",
                        "signal_external",
                        "Poke the service",
                        workflow_id="{input.target}",
                        signal="poke",
                    ),
                    node("finish", "end"),
                ],
                chain("start", "poke", "finish"),
                inputs={"target": "str"},
            )
        ],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "notify", models.NotifyInput(target=""))
        await until(lambda: has_event(handle, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED))
        recorded = Recorded(await chain_of(client, handle), {})
        await handle.terminate("recorded while stuck")
        return recorded

    return Scenario("stuck", document, "notify", drive)


def continue_as_new_scenario() -> Scenario:
    document = project(
        "ns-continue",
        [
            workflow(
                "rounds",
                [
                    node("start", "start"),
                    node("tick", "activity", "Tick", activity="tick", args={"n": "state.rounds"}),
                    assign("bump", state_rounds="state.rounds + 1"),
                    node("more", "condition", expression="state.rounds < input.target"),
                    node("again", "continue_as_new", "Next round"),
                    node("finish", "end", value="state.rounds"),
                ],
                [
                    *chain("start", "tick", "bump", "more"),
                    edge("more", "again", "true"),
                    edge("more", "finish", "false"),
                ],
                inputs={"target": "int"},
                output="int",
                state=[{"name": "rounds", "type": "int", "default": 0}],
            )
        ],
        [simulated("tick", {"n": "int"}, "None", None)],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "rounds", models.RoundsInput(target=3))
        return await finished(client, handle)

    return Scenario("continue_as_new", document, "rounds", drive)


def cancelled_scenario() -> Scenario:
    document = project(
        "ns-cancelled",
        [
            workflow(
                "slow",
                [
                    node("start", "start"),
                    node("quick", "activity", "Quick", activity="quick"),
                    node("phase", "phase", "Long work"),
                    node(
                        "crunch",
                        "activity",
                        "Crunch",
                        parent="phase",
                        activity="crunch",
                        heartbeat_timeout="2s",
                    ),
                    node("finish", "end"),
                ],
                [*chain("start", "quick", "phase", "finish")],
            )
        ],
        [
            simulated("quick", {}, "None", None),
            simulated("crunch", {}, "None", None, delay_seconds=20),
        ],
    )

    async def drive(client: Client, task_queue: str, models: ModuleType) -> Recorded:
        handle = await start(client, task_queue, "slow", None)
        await until(lambda: has_event(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED))

        async def two_started() -> bool:
            history = await handle.fetch_history()
            return (
                sum(
                    event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
                    for event in history.events
                )
                == 2
            )

        await until(two_started)
        await handle.cancel()
        return await finished(client, handle)

    return Scenario("cancelled", document, "slow", drive)


SCENARIOS: list[Callable[[], Scenario]] = [
    sequence_scenario,
    failed_step_scenario,
    loop_scenario,
    concurrent_loop_scenario,
    retry_scenario,
    parallel_scenario,
    try_scenario,
    child_scenario,
    spawn_scenario,
    signal_scenario,
    gate_waiting_scenario,
    gate_update_scenario,
    branch_waiting_scenario,
    branch_failed_scenario,
    stuck_scenario,
    continue_as_new_scenario,
    cancelled_scenario,
]


def _temporal_binary() -> str:
    from tests.conftest import _temporal_binary as find

    return find()


def save(scenario: Scenario, recorded: Recorded) -> None:
    HISTORIES.mkdir(exist_ok=True)
    events = [event for run in recorded.histories for event in run.events]
    text = WorkflowHistory(scenario.workflow, events).to_json()
    (HISTORIES / f"{scenario.name}.json").write_text(
        json.dumps(json.loads(text), indent=1) + "\n", encoding="utf-8"
    )
    document = next(w for w in scenario.document["workflows"] if w["id"] == scenario.workflow)
    (HISTORIES / f"{scenario.name}.workflow.json").write_text(
        json.dumps(document, indent=1) + "\n", encoding="utf-8"
    )
    extra = HISTORIES / f"{scenario.name}.extra.json"
    if recorded.extra:
        extra.write_text(json.dumps(recorded.extra, indent=1) + "\n", encoding="utf-8")
    elif extra.exists():
        extra.unlink()


async def record(names: set[str]) -> None:
    scenarios = [make() for make in SCENARIOS]
    chosen = [s for s in scenarios if not names or s.name in names]
    unknown = names - {s.name for s in scenarios}
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=_temporal_binary(),
        dev_server_log_level="error",
        dev_server_startup_timeout=timedelta(seconds=60),
    )
    try:
        with tempfile.TemporaryDirectory(prefix="wfd-histories-") as folder:
            for scenario in chosen:
                modules = import_package(scenario.document, Path(folder))
                task_queue = f"tq-{uuid.uuid4().hex[:8]}"
                worker_module = modules["worker"]
                async with Worker(
                    env.client,
                    task_queue=task_queue,
                    workflows=worker_module.WORKFLOWS,
                    activities=worker_module.ACTIVITIES,
                ):
                    recorded = await scenario.drive(env.client, task_queue, modules["models"])
                save(scenario, recorded)
                print(f"recorded {scenario.name}")
    finally:
        await env.shutdown()


def write_goldens(names: set[str]) -> None:
    from tests.runtime.test_node_states import golden_of, load_fixture

    for path in sorted(HISTORIES.glob("*.workflow.json")):
        name = path.name.removesuffix(".workflow.json")
        if names and name not in names:
            continue
        golden = golden_of(*load_fixture(name))
        (HISTORIES / f"{name}.expected.json").write_text(
            json.dumps(golden, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        print(f"golden {name}")


def main(argv: list[str]) -> None:
    names = {arg for arg in argv if not arg.startswith("-")}
    if "--goldens-only" not in argv:
        asyncio.run(record(names))
    write_goldens(names)


if __name__ == "__main__":
    main(sys.argv[1:])

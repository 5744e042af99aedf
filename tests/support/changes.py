"""Two versions of a project, for the tests of changing a workflow that has executions
running: what patching keeps, and what a takeover's replay check finds.

Version 1: a, then a gate (a signal `go` opens it), then a timer, then b.
Version 2: a, a new step c, the gate, b (the timer removed).
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle

from tests.support.harness import chain, edge, node, project, unique_id
from tests.support.waits import Patience

STEPS = [
    {"name": name, "input": {}, "output": "None", "implementation": {"kind": "simulate"}}
    for name in ("step_one", "step_two", "step_three")
]
SHARED = [
    node("start", "start"),
    node("a", "activity", activity="step_one"),
    node("gate", "wait", approved_when="state.go"),
    node("b", "activity", activity="step_two"),
    node("finish", "end"),
    node("open", "signal", name="go"),
    node("opened", "set_state", assignments=[{"target": "state.go", "value": "True"}]),
]


def flow(extra: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "flow",
        "name": "flow",
        "input": {},
        "output": "None",
        "state": [{"name": "go", "type": "bool", "default": False}],
        "nodes": copy.deepcopy([*SHARED, *extra]),  # a test may change its copy
        "edges": [*edges, *chain("open", "opened")],
    }


def version_one(project_id: str) -> dict[str, Any]:
    nap = node("nap", "timer", duration="1.5s")
    edges = [
        *chain("start", "a", "gate"),
        edge("gate", "nap", "approved"),
        *chain("nap", "b", "finish"),
    ]
    return project(project_id, [flow([nap], edges)], STEPS)


def version_two(project_id: str) -> dict[str, Any]:
    added = node("c", "activity", activity="step_three")
    # c comes after a; the gate now leads to b directly: the timer is gone
    edges = [
        *chain("start", "a", "c", "gate"),
        edge("gate", "b", "approved"),
        *chain("b", "finish"),
    ]
    document = flow([added], edges)
    return project(project_id, [document], STEPS)


def activities_run(events: list[Any]) -> list[str]:
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


def timers(events: list[Any]) -> int:
    return sum(e.event_type == EventType.EVENT_TYPE_TIMER_STARTED for e in events)


async def until_waiting(handle: WorkflowHandle[Any, Any]) -> None:
    """Until the execution has run `a` and waits at the gate."""
    for _ in range(400):
        events = [e async for e in handle.fetch_history_events()]
        if activities_run(events) and any(
            e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED for e in events
        ):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the execution never reached its gate")


async def until_event(handle: WorkflowHandle[Any, Any], event_type: Any) -> None:
    for _ in range(400):
        if any([e.event_type == event_type async for e in handle.fetch_history_events()]):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the execution never recorded {event_type}")


def c_first(document: dict[str, Any]) -> dict[str, Any]:
    """The project with a new step c before a in its workflow: an execution that ran a parts
    from it there."""
    workflow = document["workflows"][0]
    workflow["nodes"].append(node("c", "activity", activity="step_three"))
    workflow["edges"] = [
        item for item in workflow["edges"] if (item["source"], item["target"]) != ("start", "a")
    ] + chain("start", "c", "a")
    return document


def version_c_first(project_id: str) -> dict[str, Any]:
    """Version 1 with the new step c before a."""
    return c_first(version_one(project_id))


def forever_one(project_id: str) -> dict[str, Any]:
    """A workflow that never ends: a, the gate, then it continues as new (the gate closed
    again), round after round."""
    extra = [
        node("shut", "set_state", assignments=[{"target": "state.go", "value": "False"}]),
        node("again", "continue_as_new", "Next round"),
    ]
    edges = [
        *chain("start", "a", "gate"),
        edge("gate", "shut", "approved"),
        *chain("shut", "again"),
    ]
    document = flow(extra, edges)
    document["nodes"] = [n for n in document["nodes"] if n["id"] != "b" and n["id"] != "finish"]
    return project(project_id, [document], STEPS)


def forever_c_first(project_id: str) -> dict[str, Any]:
    """`forever_one` with a new step c before a."""
    return c_first(forever_one(project_id))


def chooser(project_id: str, kind: str, first_test: str) -> dict[str, Any]:
    """a, then a condition or a switch choosing b (step_two) or c (step_three), then the gate.

    The condition takes b when `first_test` holds; the switch's first case (`big`) is
    `first_test`, its second (`mid`) `input.size > 2`, and its default goes straight to the
    gate. Versions differ by `first_test` alone: a changed choice at the same node."""
    if kind == "condition":
        decide = node("check", "condition", expression=first_test)
        ports = [edge("check", "b", "true"), edge("check", "c", "false")]
    else:
        decide = node(
            "check",
            "switch",
            cases=[
                {"key": "big", "expression": first_test},
                {"key": "mid", "expression": "input.size > 2"},
            ],
        )
        ports = [
            edge("check", "b", "case:big"),
            edge("check", "c", "case:mid"),
            edge("check", "gate", "default"),
        ]
    workflow = flow(
        [decide, node("c", "activity", activity="step_three")],
        [
            *chain("start", "a", "check"),
            *ports,
            edge("b", "gate"),
            edge("c", "gate"),
            edge("gate", "finish", "approved"),
        ],
    )
    workflow["input"] = {"size": "int"}
    return project(project_id, [workflow], STEPS)


async def until_activities_done(handle: WorkflowHandle[Any, Any], count: int) -> None:
    """Until the execution has completed `count` activities (20 s on an idle machine)."""
    patience = Patience(20.0)
    while not patience.over():
        events = [e async for e in handle.fetch_history_events()]
        done = sum(e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED for e in events)
        if done >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the execution never completed {count} activities")


async def start_waiting(
    client: Client, task_queue: str, count: int
) -> list[WorkflowHandle[Any, Any]]:
    """`count` executions of version 1 that ran a and wait at the gate."""
    handles = [
        await client.start_workflow("flow", {}, id=unique_id("flow"), task_queue=task_queue)
        for _ in range(count)
    ]
    for handle in handles:
        await until_waiting(handle)
    return handles


def failed_tasks(events: list[Any]) -> list[Any]:
    return [e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]

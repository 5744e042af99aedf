"""Per-node state from recorded histories (tests/runtime/histories, re-recorded on the real dev
server by `python -m tests.runtime.record_histories`). No server needed here.

Each fixture is checked twice: against its golden file (every field of every node), and by hand
for what the golden means, so a re-recorded golden cannot quietly bless a wrong mapping.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.converter import PayloadConverter

from backend.runtime.node_states import NodeState, RunTracker, node_states

HISTORIES = Path(__file__).with_name("histories")
NAMES = sorted(p.name.removesuffix(".workflow.json") for p in HISTORIES.glob("*.workflow.json"))


def load_fixture(name: str) -> tuple[list[HistoryEvent], dict[str, Any], dict[str, Any]]:
    history = WorkflowHistory.from_json(name, (HISTORIES / f"{name}.json").read_text())
    document = json.loads((HISTORIES / f"{name}.workflow.json").read_text())
    extra_path = HISTORIES / f"{name}.extra.json"
    extra = json.loads(extra_path.read_text()) if extra_path.exists() else {}
    return list(history.events), document, extra


def tracked(name: str) -> RunTracker:
    events, document, extra = load_fixture(name)
    tracker = RunTracker(document)
    tracker.extend(events)
    if extra:
        tracker.set_pending((), extra.get("pending_gates", []))
    return tracker


def golden_of(
    events: list[HistoryEvent], document: dict[str, Any], extra: dict[str, Any]
) -> dict[str, Any]:
    tracker = RunTracker(document)
    tracker.extend(events)
    if extra:
        tracker.set_pending((), extra.get("pending_gates", []))
    return {
        "outcome": tracker.outcome,
        "runs": tracker.runs,
        "first_failure": list(tracker.first_failure) if tracker.first_failure else None,
        "nodes": {node_id: state.to_dict() for node_id, state in tracker.states.items()},
    }


def summary(states: dict[str, NodeState]) -> dict[str, tuple[str, int]]:
    return {node_id: (state.status, state.count) for node_id, state in states.items()}


@pytest.mark.parametrize("name", NAMES)
def test_matches_its_golden(name: str) -> None:
    expected = json.loads((HISTORIES / f"{name}.expected.json").read_text())
    assert golden_of(*load_fixture(name)) == expected


@pytest.mark.parametrize("name", NAMES)
def test_event_by_event_ends_where_the_whole_history_does(name: str) -> None:
    events, document, extra = load_fixture(name)
    whole = node_states(events, document, pending_gates=extra.get("pending_gates", []))
    tracker = RunTracker(document)
    changed_ever: set[str] = set()
    for event in events:
        changed = tracker.apply(event)
        changed_ever |= changed
        assert changed <= set(tracker.states)
    if extra:
        changed_ever |= tracker.set_pending((), extra.get("pending_gates", []))
    assert {i: s.to_dict() for i, s in tracker.states.items()} == {
        i: s.to_dict() for i, s in whole.items()
    }
    # every node that is not in its first state was reported at least once
    assert {i for i, s in whole.items() if s.status != "not_reached"} <= changed_ever


def test_workflow_task_events_change_nothing() -> None:
    events, document, _ = load_fixture("sequence")
    tracker = RunTracker(document)
    for event in events:
        changed = tracker.apply(event)
        if "WORKFLOW_TASK" in EventType.Name(event.event_type):
            assert changed == set()


def test_sequence_activity_retried_by_temporal() -> None:
    tracker = tracked("sequence")
    states = tracker.states
    assert summary(states) == {
        "start": ("completed", 1),
        "fetch": ("completed", 1),
        "keep": ("completed", 1),
        "pause": ("completed", 1),
        "ship": ("completed", 1),
        "finish": ("completed", 1),
    }
    fetch = states["fetch"]
    assert fetch.attempt == 2
    assert fetch.error is None
    assert fetch.last_failure is not None and fetch.last_failure.startswith("simulated failure")
    assert fetch.input == {"key": "k1"}
    assert fetch.output == "order-k1"
    assert fetch.duration_ms is not None and fetch.duration_ms > 0
    assert states["pause"].input == {"seconds": 0.3}
    assert states["finish"].output == "shipped order-k1"
    assert tracker.outcome == "completed"
    assert tracker.first_failure is None


def test_failed_step_fails_the_run_with_its_own_message() -> None:
    tracker = tracked("failed_step")
    states = tracker.states
    assert summary(states) == {
        "start": ("completed", 1),
        "check": ("completed", 1),
        "pay": ("failed", 1),
        "finish": ("not_reached", 0),
    }
    assert states["pay"].attempt == 2
    assert states["pay"].error == "declined (attempt 2)"
    assert tracker.outcome == "failed"
    assert tracker.first_failure == (
        "pay",
        "Charge card (pay) failed after 2 attempts: declined (attempt 2)",
    )


@pytest.mark.parametrize("name", ["loop", "concurrent_loop"])
def test_loops_count_their_rounds(name: str) -> None:
    rounds = 3 if name == "loop" else 6
    states = tracked(name).states
    assert summary(states) == {
        "start": ("completed", 1),
        "each": ("completed", rounds),
        "work": ("completed", rounds),
        "record": ("completed", rounds),
        "finish": ("completed", 1),
    }
    assert states["work"].output == ("done c" if name == "loop" else "done i5")
    assert states["each"].started_at == states["work"].started_at


def test_retry_container_shows_its_attempts() -> None:
    tracker = tracked("retry")
    states = tracker.states
    assert summary(states) == {
        "start": ("completed", 1),
        "again": ("completed", 1),
        "count": ("completed", 3),
        "call": ("completed", 3),
        "finish": ("completed", 1),
    }
    assert states["again"].attempt == 3
    assert states["call"].input == {"attempt": 3, "should_fail": False}
    assert states["finish"].output == 3


def test_parallel_branches_and_their_join() -> None:
    states = tracked("parallel").states
    assert {i: s.status for i, s in states.items()} == dict.fromkeys(states, "completed")
    assert states["fan"].started_at == min(states["left"].started_at, states["right"].started_at)  # type: ignore[type-var]


def test_try_catches_a_failed_step_and_takes_the_error_port() -> None:
    tracker = tracked("try")
    states = tracker.states
    assert summary(states) == {
        "start": ("completed", 1),
        "saga": ("completed", 1),
        "flight": ("completed", 1),
        "pay": ("failed", 1),
        "booked": ("not_reached", 0),
        "rolled_back": ("completed", 1),
    }
    # the activity's own message, not 'Activity task failed'
    assert states["pay"].error == "card 0000 declined"
    assert states["flight"].compensation == "completed"
    assert states["rolled_back"].output == "rolled back: card 0000 declined"
    assert tracker.outcome == "completed"
    assert tracker.first_failure == ("pay", "Charge card (pay) failed: card 0000 declined")


def test_child_workflows_and_an_external_signal() -> None:
    states = tracked("child").states
    assert {i: s.status for i, s in states.items()} == dict.fromkeys(states, "completed")
    assert states["call"].children == [f"double-{states['start'].input['tag']}"]
    assert states["call"].output == 42
    assert states["launch"].children == [f"listener-{states['start'].input['tag']}"]
    assert states["notify"].count == 1


def test_children_spawned_in_a_phase_count_as_children_not_as_runs_of_the_phase() -> None:
    states = tracked("spawn").states
    tag = states["start"].input["tag"]
    assert states["spawn"].children == [f"double-{tag}-1", f"double-{tag}-2"]
    assert states["spawn"].count == 2  # the canvas shows the children it started
    # the phase, the step after the children and the end each ran once, not once per child
    assert summary(states) == {
        "start": ("completed", 1),
        "build": ("completed", 1),
        "spawn": ("completed", 2),
        "record": ("completed", 1),
        "finish": ("completed", 1),
    }


def test_signals_received_and_a_timer() -> None:
    states = tracked("signal").states
    assert summary(states) == {
        "start": ("completed", 1),
        "wait": ("completed", 1),
        "finish": ("completed", 1),
        "deliver": ("completed", 2),
        "store": ("completed", 2),
    }
    assert states["deliver"].input == {"text": "again"}
    assert states["wait"].input == {"seconds": 2.0}
    assert states["wait"].duration_ms is not None and states["wait"].duration_ms >= 2000


def test_a_gate_waiting_for_a_decision() -> None:
    tracker = tracked("gate_waiting")
    states = tracker.states
    assert states["gate"].status == "waiting"
    assert states["gate"].started_at is not None
    assert {i for i, s in states.items() if s.status != "not_reached"} == {"start", "gate"}
    assert tracker.outcome is None  # recorded before the run was stopped


def test_a_condition_is_done_once_it_chose_while_its_arm_waits_at_a_gate() -> None:
    tracker = tracked("branch_waiting")
    states = tracker.states
    assert summary(states) == {
        "start": ("completed", 1),
        "known": ("completed", 1),
        "refuse": ("not_reached", 0),
        "gate": ("waiting", 1),
        "expired": ("not_reached", 0),
        "pay": ("not_reached", 0),
        "finish": ("not_reached", 0),
        "approve": ("not_reached", 0),
        "store": ("not_reached", 0),
    }


def test_a_failure_after_a_condition_fails_the_step_not_the_condition() -> None:
    tracker = tracked("branch_failed")
    states = tracker.states
    assert summary(states) == {
        "start": ("completed", 1),
        "known": ("completed", 1),
        "refuse": ("not_reached", 0),
        "gate": ("completed", 1),
        "expired": ("not_reached", 0),
        "pay": ("failed", 1),
        "finish": ("not_reached", 0),
        "approve": ("completed", 1),
        "store": ("completed", 1),
    }
    assert states["known"].error is None
    assert states["pay"].error == "declined (attempt 1)"
    assert tracker.first_failure is not None and tracker.first_failure[0] == "pay"


def test_a_run_whose_code_temporal_refuses_says_it_is_stuck_and_why() -> None:
    tracker = tracked("stuck")
    assert tracker.stuck is not None
    assert "WorkflowId is not set on SignalExternalWorkflowExecutionCommand" in tracker.stuck
    assert tracker.states["start"].status == "completed"
    assert tracker.states["finish"].status == "not_reached"
    # a workflow task that completes afterwards (the code fixed, the worker restarted) clears it
    other, _, _ = load_fixture("sequence")
    completed = [e for e in other if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]
    assert completed
    tracker.extend(completed[:1])
    assert tracker.stuck is None


def test_gate_decided_by_an_update() -> None:
    states = tracked("gate_update").states
    assert states["gate"].status == "completed"
    assert states["decide"].status == "completed"
    assert states["decide"].input == {"decision": "approved", "by": "Grace"}
    assert states["decide"].output == "noted"
    assert states["store"].status == states["reply"].status == "completed"
    assert states["expired"].status == "not_reached"


def test_continue_as_new_chain_is_the_union_of_its_runs() -> None:
    tracker = tracked("continue_as_new")
    assert tracker.runs == 3
    assert summary(tracker.states) == {
        "start": ("completed", 3),
        "tick": ("completed", 3),
        "bump": ("completed", 3),
        "more": ("completed", 3),
        "again": ("completed", 2),
        "finish": ("completed", 1),
    }
    assert tracker.states["finish"].output == 3


def test_cancelled_run() -> None:
    tracker = tracked("cancelled")
    assert tracker.outcome == "cancelled"
    assert summary(tracker.states) == {
        "start": ("completed", 1),
        "quick": ("completed", 1),
        "phase": ("cancelled", 1),
        "crunch": ("cancelled", 1),
        "finish": ("not_reached", 0),
    }
    assert tracker.first_failure is None


def test_pending_gates_by_name_and_summaries_with_colons() -> None:
    document = {
        "id": "colons",
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "a", "type": "activity", "label": "x"},
            {"id": "a: b", "type": "activity", "label": "y"},
            {"id": "gate", "type": "wait", "config": {"gate": "Sign-off"}},
        ],
        "edges": [
            {"id": "1", "source": "start", "target": "a"},
            {"id": "2", "source": "a", "target": "a: b"},
            {"id": "3", "source": "a: b", "target": "gate"},
        ],
    }
    tracker = RunTracker(document)
    assert tracker._graph.node_of_summary("a: b: y") == ("a: b", False)
    assert tracker._graph.node_of_summary("a: x") == ("a", False)
    assert tracker._graph.node_of_summary("a: undo x") == ("a", True)
    assert tracker._graph.node_of_summary("nobody: z") == (None, False)
    assert tracker.set_pending((), ["Sign-off"]) >= {"gate"}
    assert tracker.states["gate"].status == "waiting"


def _scheduled(event_id: int, activity_type: str, summary: str | None = None) -> HistoryEvent:
    event = HistoryEvent(event_id=event_id, event_type=EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    event.event_time.FromSeconds(1_700_000_000 + event_id)
    attributes = event.activity_task_scheduled_event_attributes
    attributes.activity_type.name = activity_type
    attributes.activity_id = str(event_id)
    if summary is not None:
        event.user_metadata.summary.CopyFrom(PayloadConverter.default.to_payload(summary))
    return event


def test_an_activity_is_tied_to_its_node_by_its_type_or_else_by_its_summary() -> None:
    def step(node_id: str, activity: str, **config: Any) -> dict[str, Any]:
        return {
            "id": node_id,
            "type": "activity",
            "label": node_id.title(),
            "parent_id": "saga",
            "config": {"activity": activity, **config},
        }

    document = {
        "id": "owners",
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "saga", "type": "try"},
            step("fetch", "fetch"),
            step("ship", "ship", compensation={"activity": "recall"}),
            step("tell", "notify"),
            step("tell_again", "notify"),
        ],
        "edges": [],
    }
    tracker = RunTracker(document)
    # one call site: the type names the node (and the role: `recall` is ship's undo)
    assert tracker._graph.activity_owners == {
        "fetch": ("fetch", "step"),
        "ship": ("ship", "step"),
        "recall": ("ship", "undo"),
    }
    tracker.extend(
        [
            _scheduled(5, "fetch"),
            _scheduled(6, "ship"),
            _scheduled(7, "notify", "tell_again: Tell_Again"),
            _scheduled(8, "notify", "tell: Tell"),
            _scheduled(9, "recall"),
            _scheduled(10, "notify"),  # shared and without a summary: no node can be told
        ]
    )
    assert {e: (x.node_id, x.role) for e, x in tracker._executions.items()} == {
        5: ("fetch", "step"),
        6: ("ship", "step"),
        7: ("tell_again", "step"),
        8: ("tell", "step"),
        9: ("ship", "undo"),
    }
    assert tracker.states["ship"].compensation == "running"


@pytest.mark.parametrize("name", NAMES)
def test_every_activity_of_a_recorded_run_is_tied_to_a_node(name: str) -> None:
    events, document, _ = load_fixture(name)
    tracker = RunTracker(document)
    for event in events:
        tracker.apply(event)
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            assert event.event_id in tracker._executions, (name, event.event_id)

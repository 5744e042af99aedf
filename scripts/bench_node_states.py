"""Build the per-node state of a 10,000-event history, the way the run view does.

    .venv/bin/python scripts/bench_node_states.py [--events 10000] [--repeat 5]

The history is made from a recorded one (tests/runtime/histories/retry.json: a retry container
whose body fails twice): its events are repeated, renumbered, until the history holds `--events`
events (a loop of retries around a failing activity; every activity carries its input, result
or failure payload), then closed. Prints the best of `--repeat` times for `node_states()` on the
whole history and the mean time of one `RunTracker.apply()`; the last line is
`node_states_10k_ms=<n>`. Target: under 200 ms.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.runtime.node_states import RunTracker, node_states  # noqa: E402

FIXTURE = ROOT / "tests" / "runtime" / "histories" / "retry"

_REFERENCES = (
    "scheduled_event_id",
    "started_event_id",
    "initiated_event_id",
    "workflow_task_completed_event_id",
)


def _renumber(event: HistoryEvent, offset: int) -> HistoryEvent:
    copy = HistoryEvent()
    copy.CopyFrom(event)
    copy.event_id += offset
    attributes_name = copy.WhichOneof("attributes")
    if attributes_name:
        attributes = getattr(copy, attributes_name)
        for name in _REFERENCES:
            if name in attributes.DESCRIPTOR.fields_by_name and getattr(attributes, name):
                setattr(attributes, name, getattr(attributes, name) + offset)
    return copy


def history(size: int) -> list[HistoryEvent]:
    events = list(
        WorkflowHistory.from_json("bench", (FIXTURE.with_suffix(".json")).read_text()).events
    )
    head, body, close = events[:1], events[1:-1], events[-1]
    assert close.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
    out = list(head)
    while len(out) + len(body) < size:
        offset = out[-1].event_id - body[0].event_id + 1
        out.extend(_renumber(event, offset) for event in body)
    out.append(_renumber(close, out[-1].event_id - close.event_id + 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    document = json.loads(FIXTURE.with_suffix(".workflow.json").read_text())
    events = history(args.events)
    best = float("inf")
    for _ in range(args.repeat):
        began = time.perf_counter()
        states = node_states(events, document)
        for state in states.values():  # what the API sends: the last execution's payloads
            state.to_dict()
        best = min(best, time.perf_counter() - began)
    tracker = RunTracker(document)
    began = time.perf_counter()
    for event in events:
        tracker.apply(event)
    per_event = (time.perf_counter() - began) / len(events)
    print(f"events: {len(events)}; nodes: {len(states)}; 'call' ran {states['call'].count} times")
    print(f"RunTracker.apply: {per_event * 1e6:.1f} us per event on average")
    print(f"node_states_10k_ms={best * 1000:.1f}")


if __name__ == "__main__":
    main()

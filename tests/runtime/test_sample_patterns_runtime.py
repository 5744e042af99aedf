"""temporalio's saga and polling patterns, drawn as golden cases and run on the dev server.

The documents are the golden cases' own (tests/compiler/golden/trip_saga and status_polling),
so what is reviewed as generated code is what runs here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tests.support.harness import golden_project, import_package, running_worker, unique_id

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED


async def scheduled_types(handle: Any) -> list[str]:
    history = await handle.fetch_history()
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.event_type == SCHEDULED
    ]


async def test_trip_saga_books_all_or_undoes_every_booking(
    client: Client, package_dir: Path
) -> None:
    modules = import_package(golden_project("trip_saga", "patterns-saga"), package_dir)
    async with running_worker(client, modules) as task_queue:
        booked = await client.start_workflow(
            "book-trip", {"traveller": "ada"}, id=unique_id("trip"), task_queue=task_queue
        )
        sold_out = await client.start_workflow(
            "book-trip",
            {"traveller": "bo", "sold_out": True},
            id=unique_id("trip"),
            task_queue=task_queue,
        )
        results = [await booked.result(), await sold_out.result()]
        calls = [await scheduled_types(booked), await scheduled_types(sold_out)]
    assert results == ["car-ada, hotel-ada, flight-ada", "trip cancelled: no seat for bo"]
    assert calls[0] == ["book_car", "book_hotel", "book_flight"]
    # every undo was registered before its booking ran, the flight's too (its outcome could
    # have been unknown), and they run newest first
    assert calls[1] == [
        "book_car",
        "book_hotel",
        "book_flight",
        "undo_flight",
        "undo_hotel",
        "undo_car",
    ]


async def test_polling_by_retry_policy_and_periodically(client: Client, package_dir: Path) -> None:
    modules = import_package(golden_project("status_polling", "patterns-polling"), package_dir)
    async with running_worker(client, modules) as task_queue:
        by_policy = await client.start_workflow(
            "poll-by-retry-policy", {"job": "j1"}, id=unique_id("poll"), task_queue=task_queue
        )
        periodic = await client.start_workflow(
            "poll-periodically", {"job": "j2"}, id=unique_id("poll"), task_queue=task_queue
        )
        never = await client.start_workflow(
            "poll-periodically",
            {"job": "j3", "ready_at": 1000},
            id=unique_id("poll"),
            task_queue=task_queue,
        )
        answers = [await by_policy.result(), await periodic.result()]
        with pytest.raises(WorkflowFailureError) as raised:
            await never.result()
        policy_history = await by_policy.fetch_history()
        periodic_calls = await scheduled_types(periodic)
        periodic_timers = [
            event
            for event in (await periodic.fetch_history()).events
            if event.event_type == TIMER_STARTED
        ]
    assert answers == ["j1 is ready", "j2 is ready"]
    # the retry policy polled three times inside one activity call: one scheduled event
    assert [e.event_type for e in policy_history.events].count(SCHEDULED) == 1
    # periodic: three reads, two waits between them
    assert periodic_calls == ["read_status"] * 3
    assert len(periodic_timers) == 2
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "NeverReady"

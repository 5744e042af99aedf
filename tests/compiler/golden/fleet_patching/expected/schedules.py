"""Temporal Schedules of the Fleet patching project.

    python -m fleet_patching.schedules

creates each schedule, or updates it in place when it exists, so running it twice leaves one
schedule per definition, changed only where the definition changed. A schedule paused on the
server stays paused unless its definition itself says paused.
"""

import asyncio
import os
import sys
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from fleet_patching.models import PatchFleetInput
from fleet_patching.worker import connect, task_queue


def schedules() -> dict[str, Schedule]:
    """Every schedule of the project, by schedule id."""
    return {
        "patch-fleet-schedule": Schedule(
            action=ScheduleActionStartWorkflow(
                "patch-fleet",
                PatchFleetInput(region="eu-west", version="stable"),
                id="patch-fleet",
                task_queue=task_queue(),
                static_summary="nightly: Nightly",
            ),
            spec=ScheduleSpec(
                cron_expressions=["0 3 * * *"],
                time_zone_name="Europe/Berlin",
            ),
            policy=SchedulePolicy(
                overlap=ScheduleOverlapPolicy.SKIP,
                catchup_window=timedelta(minutes=10),
            ),
            state=ScheduleState(paused=False, note="patch eu-west every night"),
        ),
    }


async def apply(client: Client) -> list[str]:
    """Create or update every schedule; returns one line per schedule saying what happened."""
    report: list[str] = []
    for schedule_id, schedule in schedules().items():
        try:
            await client.create_schedule(schedule_id, schedule)
            report.append(f"created {schedule_id}")
        except ScheduleAlreadyRunningError:

            def replace(
                current: ScheduleUpdateInput, schedule: Schedule = schedule
            ) -> ScheduleUpdate:
                if not schedule.state.paused:
                    # a pause set on the server (by an operator) outlives a new definition
                    schedule.state = current.description.schedule.state
                return ScheduleUpdate(schedule=schedule)

            await client.get_schedule_handle(schedule_id).update(replace)
            report.append(f"updated {schedule_id}")
    return report


async def main() -> None:
    client = await connect()
    for line in await apply(client):
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
    # the SDK's core threads can outlive interpreter shutdown (temporalio/sdk-python#300)
    sys.stdout.flush()
    os._exit(0)

"""Temporal Schedules of the Dispatch project.

    python -m dispatch.schedules

creates each schedule, or updates it in place when it exists, so running it twice leaves one
schedule per definition, changed only where the definition changed. A schedule paused on the
server stays paused unless its definition itself says paused.
"""

import asyncio
import os
import sys

from temporalio.client import (
    Client,
    Schedule,
)

from dispatch.worker import connect


def schedules() -> dict[str, Schedule]:
    """Every schedule of the project, by schedule id."""
    return {}


async def apply(client: Client) -> list[str]:
    """Create or update every schedule; returns one line per schedule saying what happened."""
    report: list[str] = []
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

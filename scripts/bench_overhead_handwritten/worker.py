"""Worker of the hand-written order workflow: `python -m bench_overhead_handwritten.worker`.

Connects to TEMPORAL_ADDRESS (default localhost:7233) and polls TEMPORAL_TASK_QUEUE until
SIGINT or SIGTERM.
"""

import asyncio
import logging
import os
import signal

from temporalio.client import Client
from temporalio.worker import Worker

from bench_overhead_handwritten.activities import (
    charge_card,
    reserve_stock,
    send_receipt,
    ship_order,
)
from bench_overhead_handwritten.workflows import FulfilOrderWorkflow

TASK_QUEUE = "bench-overhead-handwritten"


async def main() -> None:
    logging.basicConfig(level=logging.INFO)
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    task_queue = os.environ.get("TEMPORAL_TASK_QUEUE", TASK_QUEUE)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, stop.set)
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[FulfilOrderWorkflow],
        activities=[reserve_stock, charge_card, ship_order, send_receipt],
    ):
        logging.getLogger(__name__).info("worker polling task queue %s", task_queue)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())

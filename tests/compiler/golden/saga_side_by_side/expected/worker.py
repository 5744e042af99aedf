"""Worker for the saga-side-by-side project: `python -m saga_side_by_side.worker`.

Connects with TEMPORAL_ADDRESS (default localhost:7233) and TEMPORAL_NAMESPACE (default
`default`); TEMPORAL_API_KEY, or TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY, turn on TLS.
TEMPORAL_TASK_QUEUE overrides the project's task queue. With TEMPORAL_WORKER_DEPLOYMENT and
TEMPORAL_WORKER_BUILD_ID the worker serves that version of a Worker Deployment (Temporal's worker
versioning), each execution pinned to the version it started on.
"""

import asyncio
import logging
import os
import signal
from collections.abc import Sequence
from pathlib import Path

from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.service import TLSConfig
from temporalio.worker import Interceptor, Worker, WorkerDeploymentConfig

from saga_side_by_side import TASK_QUEUE
from saga_side_by_side.activities import ACTIVITIES
from saga_side_by_side.workflows.in_branches import InBranchesWorkflow
from saga_side_by_side.workflows.in_inner_tries import InInnerTriesWorkflow
from saga_side_by_side.workflows.in_loop import InLoopWorkflow

WORKFLOWS = [InLoopWorkflow, InBranchesWorkflow, InInnerTriesWorkflow]


def task_queue() -> str:
    return os.environ.get("TEMPORAL_TASK_QUEUE", TASK_QUEUE)


def deployment_config() -> WorkerDeploymentConfig | None:
    """The Worker Deployment version the environment names, executions pinned to it."""
    name = os.environ.get("TEMPORAL_WORKER_DEPLOYMENT")
    build_id = os.environ.get("TEMPORAL_WORKER_BUILD_ID")
    if not name or not build_id:
        return None
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(deployment_name=name, build_id=build_id),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.PINNED,
    )


async def connect() -> Client:
    """A client for the server the environment names."""
    api_key = os.environ.get("TEMPORAL_API_KEY")
    cert, key = os.environ.get("TEMPORAL_TLS_CERT"), os.environ.get("TEMPORAL_TLS_KEY")
    tls: TLSConfig | bool = bool(api_key)
    if cert and key:
        tls = TLSConfig(
            client_cert=Path(cert).read_bytes(), client_private_key=Path(key).read_bytes()
        )
    return await Client.connect(
        os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"),
        namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"),
        api_key=api_key,
        tls=tls,
    )


async def main(interceptors: Sequence[Interceptor] = ()) -> None:
    """Run the worker until SIGINT or SIGTERM. A program that embeds it (a test harness, a
    tracing setup) can pass worker interceptors; `python -m` runs it without any."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    client = await connect()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, stop.set)
    worker = Worker(
        client,
        task_queue=task_queue(),
        workflows=WORKFLOWS,
        activities=ACTIVITIES,
        interceptors=interceptors,
        deployment_config=deployment_config(),
    )
    async with worker:
        logging.getLogger(__name__).info("worker polling task queue %s", task_queue())
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
    # The worker has shut down. The SDK's Rust threads can outlive the event loop, and the
    # interpreter's teardown may then abort (temporalio/sdk-python#300): leave at once.
    logging.shutdown()
    os._exit(0)

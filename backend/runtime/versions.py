"""Versions of a Worker Deployment side by side on one task queue, and what runs on each.

A deployment's worker serves the version `<build id>` of the Worker Deployment named after its
task queue (see `backend.runtime.host`). Two deployments are versions side by side when they
serve one task queue with different build ids: a deploy beside (`replaces` with `versioning`)
made the newer one, and executions stay pinned to the version they started on. The runtime (to
drain the older one), the deployment listing (to count each version's executions) and the stop
route (to refuse stopping a version executions are pinned to) all ask these functions, so they
agree on which deployments share a queue and on how many executions a version still has.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import timedelta
from typing import Protocol

from temporalio.client import Client
from temporalio.service import RPCError

from backend.runtime.temporal import version_query

COUNT_TIMEOUT = 3.0
"""Seconds a count of a version's executions may take before it counts as no answer."""


class Served(Protocol):
    """What a deployment row or a worker plan says about the version it serves."""

    @property
    def task_queue(self) -> str: ...

    @property
    def build_id(self) -> str | None: ...


def side_by_side(first: Served, second: Served) -> bool:
    """Both serve one task queue as different versions of its Worker Deployment (not the same
    version, as patched code taking over does, nor unversioned)."""
    return (
        first.task_queue == second.task_queue
        and first.build_id is not None
        and second.build_id is not None
        and first.build_id != second.build_id
    )


def shared_queues(found: Iterable[Served]) -> set[str]:
    """The task queues that two or more of `found` serve as versions side by side."""
    builds: dict[str, set[str]] = {}
    for item in found:
        if item.build_id is not None:
            builds.setdefault(item.task_queue, set()).add(item.build_id)
    return {queue for queue, ids in builds.items() if len(ids) > 1}


async def pinned_count(client: Client, deployment_name: str, build_id: str) -> int | None:
    """How many running executions are pinned to the version `build_id` of the Worker
    Deployment; None when Temporal did not answer within COUNT_TIMEOUT (it is down or slow),
    which no caller may read as none."""
    try:
        async with asyncio.timeout(COUNT_TIMEOUT):
            found = await client.count_workflows(
                version_query(deployment_name, build_id),
                rpc_timeout=timedelta(seconds=COUNT_TIMEOUT),
            )
    except (RPCError, TimeoutError):
        return None
    return found.count

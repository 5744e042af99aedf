"""Pushes 2,000 items through a `work_queue` (limit 50) on a Temporal dev server it starts itself.

    .venv/bin/python scripts/bench_work_queue.py [--items 2000] [--limit 50]

The compiled project has a consumer workflow whose work queue starts one child per item, at
most 50 at a time; each child runs a simulated activity that returns at once. The items arrive
in a few `push` signals; once all are processed a `drain` signal lets the consumer return.

Prints the items per second (first push to the consumer's result), the number of
continue-as-new runs and the largest history length of any run (every run of the consumer is
found through the visibility store and its history fetched). The last line is
`work_queue_items_per_s=<n>`. Exits 1 when an item was lost, failed or ran twice, or when a run's
history reached 10,000 events.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from compiler import compile_project

HISTORY_CEILING = 10_000
TASK_TROUBLE = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
}
SIGNALS = 4
"""The items arrive in this many `push` signals."""


def document(project_id: str, limit: int) -> dict[str, Any]:
    def node(node_id: str, kind: str, **config: Any) -> dict[str, Any]:
        return {"id": node_id, "type": kind, "label": node_id, "config": config}

    def edges(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
        return [{"id": f"{a}->{b}", "source": a, "target": b} for a, b in pairs]

    consumer = {
        "id": "consumer",
        "name": "consumer",
        "input": {},
        "output": "int",
        "state": [
            {"name": "queue", "type": "list[str]", "default": []},
            {"name": "draining", "type": "bool", "default": False},
        ],
        "nodes": [
            node("start", "start"),
            node(
                "consume",
                "work_queue",
                queue="queue",
                workflow="job",
                key="item",
                args={"name": "item"},
                id_template="job-{item}",
                concurrency=limit,
                drain_when="state.draining",
            ),
            node("finish", "end", value="state.progress.completed"),
            node("push", "signal", name="push", params={"items": "list[str]"}),
            node(
                "store",
                "set_state",
                assignments=[{"target": "state.queue", "value": "state.queue + payload.items"}],
            ),
            node("drain", "signal", name="drain"),
            node(
                "set_drain",
                "set_state",
                assignments=[{"target": "state.draining", "value": "True"}],
            ),
            node("progress", "query", name="progress", value="state.progress"),
        ],
        "edges": edges(("start", "consume"), ("consume", "finish"), ("push", "store"))
        + edges(("drain", "set_drain")),
    }
    job = {
        "id": "job",
        "name": "job",
        "input": {"name": "str"},
        "output": "str",
        "state": [],
        "nodes": [
            node("start", "start"),
            node("work", "activity", activity="work", args={"name": "input.name"}, result="out"),
            node("done", "end", value="out"),
        ],
        "edges": edges(("start", "work"), ("work", "done")),
    }
    return {
        "schema_version": 1,
        "id": project_id,
        "name": project_id,
        "task_queue": project_id,
        "types": {},
        "activities": [
            {
                "name": "work",
                "input": {"name": "str"},
                "output": "str",
                "implementation": {"kind": "simulate", "result": "did {name}"},
            }
        ],
        "workflows": [consumer, job],
    }


def build(project: dict[str, Any], folder: Path) -> Any:
    """Compiles the project into `folder` and imports its worker module."""
    result = compile_project(project)
    if not result.ok:
        for diagnostic in result.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        raise SystemExit(1)
    for relative, text in result.files.items():
        target = folder / result.package / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    return importlib.import_module(f"{result.package}.worker"), importlib.import_module(
        f"{result.package}.models"
    )


async def wait_for_all(handle: WorkflowHandle[Any, Any], items: int) -> dict[str, Any]:
    """Polls the progress query until every item has completed or failed."""
    while True:
        try:
            progress: dict[str, Any] = await handle.query("progress")
        except RPCError as error:
            # a query that meets a continue-as-new is answered "please retry"
            if error.status != RPCStatusCode.UNAVAILABLE:
                raise
        else:
            if progress["completed"] + progress["failed"] >= items:
                return progress
        await asyncio.sleep(0.25)


async def run_histories(client: Client, workflow_id: str, runs: int) -> dict[str, tuple[int, int]]:
    """(history length, failed or timed-out workflow tasks) of every run of the workflow, the
    runs found through visibility."""
    deadline = time.monotonic() + 30
    while True:
        found = [e async for e in client.list_workflows(f'WorkflowId = "{workflow_id}"')]
        if len(found) >= runs or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    histories = {}
    for execution in found:
        handle = client.get_workflow_handle(workflow_id, run_id=execution.run_id)
        events = (await handle.fetch_history()).events
        troubled = sum(event.event_type in TASK_TROUBLE for event in events)
        histories[execution.run_id] = (len(events), troubled)
    return histories


async def child_executions(client: Client, run: str, items: int) -> int:
    """How many child executions visibility holds (each item's child must run exactly once)."""
    query = f'WorkflowType = "job" AND WorkflowId STARTS_WITH "job-{run}-"'
    deadline = time.monotonic() + 30
    while True:
        count = (await client.count_workflows(query)).count
        if count >= items or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.2)


async def bench(items: int, limit: int) -> int:
    run = uuid.uuid4().hex[:8]
    temporal = Path(sys.executable).with_name("temporal")
    with tempfile.TemporaryDirectory() as folder:
        worker_module, models = build(document(f"bench-wq-{run}", limit), Path(folder))
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(temporal),
            dev_server_log_level="error",
            dev_server_startup_timeout=timedelta(seconds=60),
        )
        try:
            client = env.client
            task_queue = f"bench-wq-{run}"
            async with Worker(
                client,
                task_queue=task_queue,
                workflows=worker_module.WORKFLOWS,
                activities=worker_module.ACTIVITIES,
            ):
                handle = await client.start_workflow(
                    "consumer", models.ConsumerInput(), id=f"consumer-{run}", task_queue=task_queue
                )
                names = [f"{run}-{n:05d}" for n in range(items)]
                began = time.monotonic()
                size = -(-items // SIGNALS)
                for first in range(0, items, size):
                    chunk = names[first : first + size]
                    await handle.signal("push", models.ConsumerPushSignal(items=chunk))
                progress = await wait_for_all(handle, items)
                await handle.signal("drain")
                completed = await handle.result()
                elapsed = time.monotonic() - began
                progress = await handle.query("progress")
            histories = await run_histories(client, handle.id, progress["continued_as_new"] + 1)
            children = await child_executions(client, run, items)
        finally:
            await env.shutdown()

    rate = items / elapsed
    lengths = {run_id: length for run_id, (length, _) in histories.items()}
    largest = max(lengths.values())
    troubled = sum(trouble for _, trouble in histories.values())
    print(f"items: {items}, limit: {limit}, elapsed: {elapsed:.1f} s")
    print(
        f"completed: {completed}, failed: {progress['failed']}, started: {progress['started']}, "
        f"retried: {progress['retried']}, duplicates: {progress['duplicates']}, "
        f"child executions: {children}"
    )
    print(f"continue-as-new runs: {progress['continued_as_new']} ({len(lengths)} runs listed)")
    print(f"history lengths per run: {sorted(lengths.values(), reverse=True)}")
    print(f"consumer workflow tasks failed or timed out: {troubled}")
    print(f"largest history: {largest} events (must stay under {HISTORY_CEILING})")
    status = 0
    if largest >= HISTORY_CEILING:
        print(f"FAIL: a run's history reached {largest} events", flush=True)
        status = 1
    if not completed == progress["started"] == children == items or progress["failed"]:
        print("FAIL: items were lost, failed or started more than once", flush=True)
        status = 1
    if len(lengths) != progress["continued_as_new"] + 1:
        print("FAIL: the runs listed do not match the continue-as-new count", flush=True)
        status = 1
    print(f"work_queue_items_per_s={rate:.1f}")
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=50)
    arguments = parser.parse_args()
    raise SystemExit(asyncio.run(bench(arguments.items, arguments.limit)))


if __name__ == "__main__":
    main()

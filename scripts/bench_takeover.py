"""How long the server's check of a takeover takes with many executions running.

    .venv/bin/python scripts/bench_takeover.py [--executions 200]

Starts the app with its own runtime (an embedded Temporal dev server on a temporary data
directory), deploys version 1 of the two-version project of tests/support/changes.py, starts
`--executions` executions and waits until each waits at its gate, then times the check a
deploy over that deployment runs (`POST /api/projects/{id}/deployments/check`: fetch every
running execution's history from Temporal, replay them in a process of its own on the new
code): once for a version whose labels changed (every history replays), once for one with a
step inserted before the executions' first step (every one breaks, named by node), and once
for that version compiled with patching (every one replays again). Prints each, the last line
`takeover_check_s=<n>` for the one that breaks them all. Target: under 10 s for 200.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from tests.backend.runtime_support import (  # noqa: E402
    RuntimeAppFactory,
    deploy,
    runtime_settings,
    temporal_client,
)
from tests.support.changes import until_waiting, version_c_first, version_one  # noqa: E402
from tests.support.harness import unique_id  # noqa: E402


def relabelled(document: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    for node in changed["workflows"][0]["nodes"]:
        node["label"] = f"{node.get('label', '')} (v2)"
    return changed


def timed_check(
    api: TestClient, project_id: str, document: dict[str, Any], body: dict[str, Any]
) -> tuple[float, dict[str, Any]]:
    stored = api.post("/api/import", json=document, params={"overwrite": "true"})
    assert stored.status_code == 201, stored.text
    began = time.perf_counter()
    answer = api.post(f"/api/projects/{project_id}/deployments/check", json=body)
    seconds = time.perf_counter() - began
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return seconds, found


async def main(executions: int) -> None:
    factory = RuntimeAppFactory([])
    with tempfile.TemporaryDirectory(prefix="wfd-bench-takeover-") as folder:
        try:
            app = factory.start(runtime_settings(Path(folder)))
            api = app.api
            project_id = unique_id("bench")
            document = version_one(project_id)
            old = deploy(api, document)
            client = await temporal_client(api)
            began = time.perf_counter()
            handles = await asyncio.gather(
                *(
                    client.start_workflow(
                        "flow", {}, id=unique_id("flow"), task_queue=old["task_queue"]
                    )
                    for _ in range(executions)
                )
            )
            for handle in handles:
                await until_waiting(handle)
            print(
                f"{executions} executions waiting at the gate after "
                f"{time.perf_counter() - began:.1f} s"
            )
            body = {"replaces": old["id"]}
            cases = [
                ("labels changed", relabelled(document), body),
                ("step inserted", version_c_first(project_id), body),
                ("step inserted, patched", version_c_first(project_id), {**body, "patch": True}),
            ]
            figures = {}
            for name, changed, request in cases:
                seconds, found = timed_check(api, project_id, changed, request)
                figures[name] = seconds
                broken = sum(item["running"] for item in found["divergences"])
                print(
                    f"{name}: checked {found['running']} running and {found['closed']} closed "
                    f"executions in {seconds:.2f} s; {broken} would break; ok={found['ok']}"
                )
                for line in found["summary"]:
                    print(f"  {line}")
            for handle in handles:
                await handle.cancel()
            print(f"takeover_check_s={figures['step inserted']:.2f}")
        finally:
            factory.stop_all()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=200)
    asyncio.run(main(parser.parse_args().executions))

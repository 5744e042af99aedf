"""How long the heaviest requests a body under the limit allows take, and whether they hold up
the others.

    .venv/bin/python scripts/bench_stall.py [--workflows 2] [--nodes 1998] [--padding 1000]

Starts `wfd serve --temporal off` on a temporary SQLite file. The project holds two workflows of
`--nodes` steps each (the most a workflow may hold), every node's label carrying
`--padding` characters, so the import body comes near the 5 MB limit. Then, one at a time, the
requests that do the most work per byte: import, read, save, snapshot a version (twice, with a
change between), diff the two versions, export, validate and compile. Meanwhile a prober asks
`GET /api/health` every 20 ms and notes how long each answer took.

It prints each heavy request's time and the slowest health answer while it ran, the bytes
stored per byte sent for drafts and versions, and as the last line `worst_health_ms=<n>`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.backend.live import LiveServer  # noqa: E402


def workflow(workflow_id: str, nodes: int, padding: int) -> dict[str, Any]:
    text = ("Each step moves the count on by one. " * (padding // 37 + 1))[:padding]
    steps = [
        {
            "id": f"s{i}",
            "type": "set_state",
            "label": f"Step {i}: {text}",
            "config": {"assignments": [{"target": "state.n", "value": "state.n + 1"}]},
        }
        for i in range(nodes)
    ]
    all_nodes = [
        {"id": "start", "type": "start", "label": "Start", "config": {}},
        *steps,
        {"id": "finish", "type": "end", "label": "Finish", "config": {"value": "state.n"}},
    ]
    ids = [n["id"] for n in all_nodes]
    return {
        "id": workflow_id,
        "name": workflow_id,
        "input": {},
        "output": "int",
        "state": [{"name": "n", "type": "int", "default": 0}],
        "nodes": all_nodes,
        "edges": [
            {"id": f"{a}->{b}", "source": a, "target": b} for a, b in itertools.pairwise(ids)
        ],
    }


def project(workflows: int, nodes: int, padding: int) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": "stall",
        "name": "Stall",
        "task_queue": "stall",
        "types": {},
        "activities": [],
        "workflows": [
            workflow(name, nodes, padding)
            for name in ["one", "two", *(f"w{i}" for i in range(3, workflows + 1))]
        ],
    }


class Prober:
    """GET /api/health every 20 ms; the answer times of the probes sent in a window."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.samples: list[tuple[float, float]] = []  # (sent at, seconds to answer)
        self.task: asyncio.Task[None] | None = None

    async def _probe(self) -> None:
        while True:
            sent = time.perf_counter()
            answer = await self.client.get("/api/health")
            answer.raise_for_status()
            self.samples.append((sent, time.perf_counter() - sent))
            await asyncio.sleep(0.02)

    def start(self) -> None:
        self.task = asyncio.create_task(self._probe())

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    def worst_since(self, start: float) -> float:
        return max((taken for sent, taken in self.samples if sent >= start), default=0.0)


async def measure(url: str, document: dict[str, Any], database: Path) -> float:
    body = json.dumps(document).encode()
    print(f"import body: {len(body) / 1e6:.2f} MB, {len(document['workflows'])} workflows")
    worst = 0.0
    timeout = httpx.Timeout(600.0)
    async with (
        httpx.AsyncClient(base_url=url, timeout=timeout) as heavy,
        httpx.AsyncClient(base_url=url, timeout=timeout) as light,
    ):
        await light.get("/api/health")
        prober = Prober(light)
        prober.start()
        await asyncio.sleep(0.5)
        quiet = [taken for _, taken in prober.samples]
        print(f"health alone: median {statistics.median(quiet) * 1000:.1f} ms")

        async def timed(name: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
            nonlocal worst
            await asyncio.sleep(0.1)  # a few quiet probes between requests
            start = time.perf_counter()
            answer = await heavy.request(method, path, **kwargs)
            taken = time.perf_counter() - start
            await asyncio.sleep(0.05)  # the probe sent last gets its answer
            stalled = prober.worst_since(start)
            worst = max(worst, stalled)
            print(
                f"{name:<22} {answer.status_code}  {taken:7.2f} s  "
                f"{len(answer.content) / 1e6:6.2f} MB  slowest health {stalled * 1000:7.1f} ms"
            )
            return answer

        headers = {"content-type": "application/json"}
        await timed("import", "POST", "/api/import", content=body, headers=headers)
        path = "/api/projects/stall/workflows/one"
        draft = (await timed("read draft", "GET", path)).json()
        sent = json.dumps({"revision": draft["revision"], "document": draft["document"]})
        draft["document"]["nodes"][1]["label"] = "Step zero"
        saved = await timed(
            "save draft",
            "PUT",
            path,
            content=json.dumps({"revision": draft["revision"], "document": draft["document"]}),
            headers=headers,
        )
        revision = saved.json()["revision"]
        await timed("snapshot version 1", "POST", f"{path}/versions", json={"message": "one"})
        draft["document"]["nodes"][2]["label"] = "Step one"
        await timed(
            "save draft again",
            "PUT",
            path,
            content=json.dumps({"revision": revision, "document": draft["document"]}),
            headers=headers,
        )
        await timed("snapshot version 2", "POST", f"{path}/versions", json={"message": "two"})
        await timed("diff 1..2", "GET", f"{path}/diff", params={"from": "1", "to": "2"})
        exported = await timed("export", "GET", "/api/projects/stall/export")
        await timed(
            "import the export",
            "POST",
            "/api/import",
            params={"overwrite": "true"},
            content=exported.content,
            headers=headers,
        )
        await timed("validate", "POST", "/api/validate", content=body, headers=headers)
        await timed("compile", "POST", "/api/compile", content=body, headers=headers)
        await prober.stop()

    with sqlite3.connect(database) as connection:
        (draft_bytes,) = connection.execute(
            "SELECT length(document) FROM workflow WHERE id = 'one'"
        ).fetchone()
        versions = connection.execute(
            "SELECT length(document) FROM workflow_version WHERE workflow_id = 'one'"
        ).fetchall()
    print(f"draft: {len(sent) / 1e6:.2f} MB sent, {draft_bytes / 1e6:.2f} MB stored")
    print(
        f"versions: {len(versions)} stored, "
        f"{sum(size for (size,) in versions) / 1e6:.2f} MB for a {len(sent) / 1e6:.2f} MB draft"
    )
    print(f"stored_per_sent={draft_bytes / len(sent):.2f}")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=2)
    parser.add_argument("--nodes", type=int, default=1998)
    parser.add_argument("--padding", type=int, default=1000)
    options = parser.parse_args()
    document = project(options.workflows, options.nodes, options.padding)
    with tempfile.TemporaryDirectory(prefix="bench-stall-") as folder:
        database = Path(folder) / "wfd.db"
        server = LiveServer(Path(folder) / "logs")
        try:
            url = server.start(f"sqlite:///{database}", WFD_DATA_DIR=os.path.join(folder, "data"))
            worst = asyncio.run(measure(url, document, database))
        finally:
            server.stop()
    print(f"worst_health_ms={worst * 1000:.0f}")


if __name__ == "__main__":
    main()

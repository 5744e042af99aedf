"""Load and save 200-node workflows through the API with 32 concurrent clients for 20 seconds.

    .venv/bin/python scripts/bench_api.py [--clients 32] [--seconds 20] [--nodes 200]

Starts the server (uvicorn, one process, on a SQLite file in a temporary folder), imports a
project with one workflow per client, then every client repeats: load its workflow, move a
node, save it on the revision it loaded. Prints requests per second and p50/p99 latency for
loads and saves; the last line is `api_save_p99_ms=<n>`. Exits 1 when any request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pydantic_core

ROOT = Path(__file__).resolve().parent.parent


def workflow(workflow_id: str, nodes: int) -> dict[str, Any]:
    """start -> activity calls -> end, laid out as the editor would, `nodes` nodes in all."""
    items: list[dict[str, Any]] = [{"id": "start", "type": "start", "label": "Start"}]
    for index in range(1, nodes - 1):
        items.append(
            {
                "id": f"step{index}",
                "type": "activity",
                "label": f"Step {index}: fetch and transform the next batch",
                "position": {"x": 240.0 * (index % 8), "y": 120.0 * (index // 8)},
                "config": {
                    "activity": "work",
                    "args": {"item": "input.item"},
                    "result": f"r{index}",
                    "start_to_close_timeout": "30s",
                },
            }
        )
    items.append({"id": "end", "type": "end", "label": "End", "config": {"value": "r1"}})
    chain = [item["id"] for item in items]
    return {
        "id": workflow_id,
        "name": f"Benchmark {workflow_id}",
        "input": {"item": "str"},
        "output": "int",
        "nodes": items,
        "edges": [
            {"id": f"e{i}", "source": a, "target": b}
            for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False))
        ],
    }


def project(clients: int, nodes: int) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": "bench",
        "name": "API benchmark",
        "task_queue": "bench",
        "activities": [
            {
                "name": "work",
                "input": {"item": "str"},
                "output": "int",
                "implementation": {"kind": "simulate", "result": 1},
            }
        ],
        "workflows": [workflow(f"w{client}", nodes) for client in range(clients)],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'wfd.db'}"}
    env.pop("WFD_TOKEN", None)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "backend.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            if httpx.get(f"{url}/api/health").status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


async def client(
    http: httpx.AsyncClient, workflow_id: str, until: float, timings: dict[str, list[float]]
) -> None:
    path = f"/api/projects/bench/workflows/{workflow_id}"
    step = 0
    while time.perf_counter() < until:
        began = time.perf_counter()
        loaded = await http.get(path)
        timings["load"].append(time.perf_counter() - began)
        if loaded.status_code != 200:
            raise RuntimeError(f"load answered {loaded.status_code}: {loaded.text[:200]}")
        current = pydantic_core.from_json(loaded.content)
        document = current["document"]
        step += 1
        document["nodes"][1 + step % (len(document["nodes"]) - 2)]["position"]["x"] += 1.0
        body = pydantic_core.to_json({"revision": current["revision"], "document": document})
        began = time.perf_counter()
        saved = await http.put(path, content=body, headers={"content-type": "application/json"})
        timings["save"].append(time.perf_counter() - began)
        if saved.status_code != 200:
            raise RuntimeError(f"save answered {saved.status_code}: {saved.text[:200]}")


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process so far (Linux), to tell work from queueing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(url: str, clients: int, seconds: float, nodes: int) -> dict[str, list[float]]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        imported = await http.post("/api/import", json=project(clients, nodes))
        if imported.status_code != 201:
            raise RuntimeError(f"import answered {imported.status_code}: {imported.text[:300]}")
    # one connection per client, like one editor per browser (a shared pool of 32 connections
    # costs the load generator more time than the requests cost the server)
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    sessions = [httpx.AsyncClient(base_url=url, limits=one, timeout=60) for _ in range(clients)]
    try:
        # a warm-up round opens every connection before the clock starts
        warm: dict[str, list[float]] = {"load": [], "save": []}
        start = time.perf_counter() + 0.5
        await asyncio.gather(*(client(h, f"w{c}", start, warm) for c, h in enumerate(sessions)))
        timings: dict[str, list[float]] = {"load": [], "save": []}
        until = time.perf_counter() + seconds
        await asyncio.gather(*(client(h, f"w{c}", until, timings) for c, h in enumerate(sessions)))
        return timings
    finally:
        for session in sessions:
            await session.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--nodes", type=int, default=200)
    options = parser.parse_args()
    body = len(pydantic_core.to_json(workflow("w0", options.nodes)))
    print(
        f"{options.clients} clients, {options.seconds:g} s, workflows of {options.nodes} nodes "
        f"({body / 1024:.0f} KiB of JSON), SQLite (WAL), one uvicorn process, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="wfd-bench-") as folder:
        server, url = start_server(Path(folder))
        try:
            cpu_before = cpu_seconds(server.pid)
            began = time.perf_counter()
            timings = asyncio.run(run(url, options.clients, options.seconds, options.nodes))
            elapsed = time.perf_counter() - began
            cpu_after = cpu_seconds(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    total = sum(len(samples) for samples in timings.values())
    print(f"all       {total / options.seconds:8.1f} req/s  ({total} requests in {elapsed:.1f} s)")
    if cpu_before is not None and cpu_after is not None:
        # includes the import and the warm-up round; a latency far above it is time in a queue
        busy = (cpu_after - cpu_before) * 1000 / total
        print(f"server    {busy:8.2f} ms of CPU per request (one process, so one core at most)")
    for operation in ("load", "save"):
        samples = timings[operation]
        print(
            f"{operation:<9} {len(samples) / options.seconds:8.1f} req/s"
            f"  p50 {statistics.median(samples) * 1000:7.1f} ms"
            f"  p99 {percentile(samples, 0.99) * 1000:7.1f} ms"
            f"  max {max(samples) * 1000:7.1f} ms"
        )
    print(f"api_save_p99_ms={percentile(timings['save'], 0.99) * 1000:.1f}")


if __name__ == "__main__":
    main()

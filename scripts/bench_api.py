"""Load and save 200-node workflows through the API with 32 concurrent clients for 20 seconds.

    .venv/bin/python scripts/bench_api.py [--clients 32] [--seconds 20] [--nodes 200]
                                          [--workers CPUS] [--interval 0]

Starts the server (`wfd serve --workers N`, one worker per CPU unless told, on a SQLite file in a
temporary folder), waits until every worker listens and imports a project with one workflow per
client. Then every client repeats without pause (or, with `--interval`, once per interval, like
an editor saving as its user works): load its workflow, move a node, save it on the revision it
loaded. Prints requests per second, the CPU the server and the clients used per request, and
p50/p99 latency for loads and saves; the last line is `api_save_p99_ms=<n>`. Exits 1 when any
request fails.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
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
            for i, (a, b) in enumerate(itertools.pairwise(chain))
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


def start_server(folder: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """`wfd serve`, as a user starts it, on a new SQLite file."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'wfd.db'}"}
    env.pop("WFD_TOKEN", None)
    wfd = Path(sys.executable).parent / "wfd"
    command = [str(wfd), "serve", "--port", str(port), "--workers", str(workers)]
    command += ["--temporal", "off"]  # the API alone: no Temporal dev server beside it
    log = folder / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    # every worker up before the clients connect: the kernel spreads connections only over
    # the workers listening at that moment, and a client keeps its connection
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited during start-up:\n{log.read_text()}")
        if log.read_text(errors="replace").count("Application startup complete.") >= workers:
            return server, url
        time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the server did not start within 60 s:\n{log.read_text()}")


class Connection:
    """One keep-alive HTTP/1.1 connection, like one editor's.

    The load generator shares the machine's cores with the server; httpx spends more CPU per
    request than the server does, so the clients here write requests and read the answers
    (always sized by Content-Length) directly on a socket.
    """

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.host = host  # the server answers only requests that name it (the Host check)

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nhost: {self.host}\r\n"
        if method != "GET":
            head += f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        header = await self.reader.readuntil(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
        if "content-length" not in fields:
            raise RuntimeError(f"an answer without Content-Length: {header!r}")
        return status, await self.reader.readexactly(int(fields["content-length"]))

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def client(
    connection: Connection,
    workflow_id: str,
    until: float,
    timings: dict[str, list[float]],
    interval: float = 0.0,
    delta: bool = False,
) -> None:
    """Load, edit, save (the whole document, or with `delta` the edit as a JSON Patch against
    the revision loaded); again at once, or `interval` seconds after the last round began."""
    path = f"/api/projects/bench/workflows/{workflow_id}"
    step = 0
    # paced clients start spread over one interval, as editors would
    next_round = time.perf_counter() + interval * random.random()
    while time.perf_counter() < until:
        if interval:
            await asyncio.sleep(max(0.0, next_round - time.perf_counter()))
            next_round += interval
        began = time.perf_counter()
        status, loaded = await connection.request("GET", path)
        timings["load"].append(time.perf_counter() - began)
        if status != 200:
            raise RuntimeError(f"load answered {status}: {loaded[:200]!r}")
        current = pydantic_core.from_json(loaded)
        document = current["document"]
        step += 1
        index = 1 + step % (len(document["nodes"]) - 2)
        document["nodes"][index]["position"]["x"] += 1.0
        if delta:
            x = document["nodes"][index]["position"]["x"]
            edit = [{"op": "replace", "path": f"/nodes/{index}/position/x", "value": x}]
            body = pydantic_core.to_json({"revision": current["revision"], "patch": edit})
        else:
            body = pydantic_core.to_json({"revision": current["revision"], "document": document})
        began = time.perf_counter()
        status, saved = await connection.request("PATCH" if delta else "PUT", path, body)
        timings["save"].append(time.perf_counter() - began)
        if status != 200:
            raise RuntimeError(f"save answered {status}: {saved[:200]!r}")


def server_cpu_seconds(root: int) -> float:
    """User and system CPU time so far of a process and its descendants (Linux /proc)."""
    ticks: dict[int, float] = {}
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended while the folder was read
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])
    total = 0.0
    for pid, used in ticks.items():
        ancestor = pid
        while ancestor not in (root, 0, 1) and ancestor in parents:
            ancestor = parents[ancestor]
        if ancestor == root:
            total += used
    return total / os.sysconf("SC_CLK_TCK")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Measured:
    def __init__(self) -> None:
        self.timings: dict[str, list[float]] = {"load": [], "save": []}
        self.wall = self.server_cpu = self.client_cpu = 0.0


async def run(
    url: str, server: int, clients: int, seconds: float, nodes: int, interval: float, delta: bool
) -> Measured:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        imported = await http.post("/api/import", json=project(clients, nodes))
        if imported.status_code != 201:
            raise RuntimeError(f"import answered {imported.status_code}: {imported.text[:300]}")
    host, port = url.removeprefix("http://").split(":")
    connections = [await Connection.open(host, int(port)) for _ in range(clients)]
    try:
        # a warm-up round opens every connection before the clock starts
        warm: dict[str, list[float]] = {"load": [], "save": []}
        start = time.perf_counter() + 0.5
        await asyncio.gather(
            *(client(c, f"w{i}", start, warm, 0.0, delta) for i, c in enumerate(connections))
        )
        measured = Measured()
        server_before, client_before = server_cpu_seconds(server), time.process_time()
        began = time.perf_counter()
        until = began + seconds
        await asyncio.gather(
            *(
                client(c, f"w{i}", until, measured.timings, interval, delta)
                for i, c in enumerate(connections)
            )
        )
        measured.wall = time.perf_counter() - began
        measured.server_cpu = server_cpu_seconds(server) - server_before
        measured.client_cpu = time.process_time() - client_before
        return measured
    finally:
        for connection in connections:
            await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="`wfd serve --workers` (default: one per CPU)",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=0.0,
        help="seconds between the starts of a client's rounds (default: no pause at all)",
    )
    parser.add_argument(
        "--delta",
        action="store_true",
        help="save each edit as a JSON Patch (PATCH) instead of the whole document (PUT)",
    )
    options = parser.parse_args()
    if options.delta:
        work, whole = delta_work_ms(options.nodes)
        print(
            f"a one-node delta on a {options.nodes}-node draft, server CPU in process: "
            f"{work:.3f} ms to apply, validate and encode it; {whole:.3f} ms for the whole "
            "save, stored in SQLite (the HTTP request around it costs more)"
        )
    body = len(pydantic_core.to_json(workflow("w0", options.nodes)))
    print(
        f"{options.clients} clients, {options.seconds:g} s, workflows of {options.nodes} nodes "
        f"({body / 1024:.0f} KiB of JSON), SQLite (WAL), wfd serve --workers {options.workers}, "
        f"{os.cpu_count()} CPUs shared by the server and these clients, "
        + (f"a round every {options.interval:g} s" if options.interval else "no pause")
    )
    with tempfile.TemporaryDirectory(prefix="wfd-bench-") as folder:
        server, url = start_server(Path(folder), options.workers)
        try:
            measured = asyncio.run(
                run(
                    url,
                    server.pid,
                    options.clients,
                    options.seconds,
                    options.nodes,
                    options.interval,
                    options.delta,
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    timings = measured.timings
    total = sum(len(samples) for samples in timings.values())
    print(f"all       {total / measured.wall:8.1f} req/s  ({total} in {measured.wall:.1f} s)")
    # CPU per request against the latency: a latency far above the CPU is time in a queue
    print(
        f"cpu       server {measured.server_cpu * 1000 / total:.2f} ms per request, "
        f"clients {measured.client_cpu * 1000 / total:.2f} ms per request, "
        f"{(measured.server_cpu + measured.client_cpu) / measured.wall:.2f} of "
        f"{os.cpu_count()} cores busy"
    )
    for operation in ("load", "save"):
        samples = timings[operation]
        print(
            f"{operation:<9} {len(samples) / measured.wall:8.1f} req/s"
            f"  p50 {statistics.median(samples) * 1000:7.1f} ms"
            f"  p99 {percentile(samples, 0.99) * 1000:7.1f} ms"
            f"  max {max(samples) * 1000:7.1f} ms"
        )
    name = "api_delta_save_p99_ms" if options.delta else "api_save_p99_ms"
    print(f"{name}={percentile(timings['save'], 0.99) * 1000:.1f}")


def delta_work_ms(nodes: int, rounds: int = 2000) -> tuple[float, float]:
    """Server CPU per one-node delta, in this process: the document work alone (apply the
    patch, validate the node it touched, encode the document to store), and the whole save
    (that, and the compare-and-set written to a SQLite file as `wfd serve` writes it, with a
    session per save as a request has)."""
    sys.path.insert(0, str(ROOT))
    from sqlmodel import Session

    from backend.db import make_engine, migrate
    from backend.models import PatchOperation, ProjectCreate, WorkflowCreate, WorkflowDelta
    from backend.services.deltas import apply_delta, encoded, patched
    from backend.services.projects import create_project
    from backend.services.workflows import create_workflow
    from language.document import Workflow

    def edit(step: int) -> PatchOperation:
        index = 1 + step % (nodes - 2)
        return PatchOperation(op="replace", path=f"/nodes/{index}/position/x", value=step * 1.0)

    document = Workflow.model_validate(workflow("w0", nodes))
    stored = document.model_dump(mode="json")
    texts: dict[int, bytes] = {}
    began = time.process_time()
    for step in range(rounds):
        stored = patched(stored, [edit(step)], "w0")
        texts = encoded(stored, texts)[1]
    work = (time.process_time() - began) * 1000 / rounds

    with tempfile.TemporaryDirectory(prefix="wfd-bench-") as folder:
        engine = make_engine(f"sqlite:///{folder}/wfd.db")
        migrate(engine)
        with Session(engine) as session:
            create_project(session, ProjectCreate(id="bench", name="bench"))
            create_workflow(session, "bench", WorkflowCreate(document=document))
        for step in range(50):  # the first saves read and parse the draft
            with Session(engine) as session:
                delta = WorkflowDelta(revision=1 + step, patch=[edit(step)])
                apply_delta(session, "bench", "w0", delta)
        began = time.process_time()
        for step in range(50, 50 + rounds):
            with Session(engine) as session:
                delta = WorkflowDelta(revision=1 + step, patch=[edit(step)])
                apply_delta(session, "bench", "w0", delta)
        whole = (time.process_time() - began) * 1000 / rounds
        engine.dispose()
    return work, whole


if __name__ == "__main__":
    main()

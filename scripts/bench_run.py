"""How fast a run shows on the graph: from Start to the first node shown completed, and from a
history event to the overlay update that shows it.

    .venv/bin/python scripts/bench_run.py [--runs 10] [--scale 0.05]

Starts `wfd serve` with its embedded Temporal on a temporary data directory, imports the
package-management sample (every wait multiplied by `--scale`), deploys it and runs its
`package-build` workflow `--runs` times, one after the other, each followed the way the editor
follows it: the run's event stream (`GET /api/runs/{id}/events`, server-sent events).

For every `nodes` update the delay is the time it reached this client minus the time Temporal
wrote the last history event of the batch it shows (`event_time`; one machine, one clock).
Prints each run, then the median and p95 of both figures; the last line is
`run_overlay_p95_ms=<n>`. Target: under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import samples  # noqa: E402

WFD = Path(sys.executable).with_name("wfd")
DEADLINE = 180.0
PROJECT = "bench-run"
INPUT = {
    "package_name": "@bench/types",
    "dependencies": [],
    "workspace_root": "/ws",
    "registry": "https://registry.example",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait(what: str, check: Any, deadline: float = DEADLINE) -> Any:
    give_up = time.monotonic() + deadline
    while time.monotonic() < give_up:
        try:
            found = check()
        except httpx.TransportError:
            found = None
        if found:
            return found
        time.sleep(0.1)
    raise SystemExit(f"waited {deadline:g} s for {what}")


def events(client: httpx.Client, workflow_id: str) -> Iterator[tuple[str, dict[str, Any], float]]:
    """(event, data, arrival time) for each server-sent event of the run's stream."""
    with client.stream("GET", f"/api/runs/{workflow_id}/events", timeout=None) as answer:
        answer.raise_for_status()
        kind, data = "message", ""
        for line in answer.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
            elif not line and data:
                yield kind, json.loads(data), time.time()
                kind, data = "message", ""


def written_at(data: dict[str, Any]) -> float | None:
    text = data.get("event_time")
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def one_run(client: httpx.Client, deployment_id: str) -> tuple[float, list[float], str]:
    """(ms from Start to the first completed node, overlay delays in ms, outcome)."""
    workflow_id = f"bench-run-{uuid.uuid4().hex[:12]}"
    pressed = time.time()
    started = client.post(
        f"/api/deployments/{deployment_id}/runs",
        json={"workflow": "package-build", "input": INPUT, "workflow_id": workflow_id},
    )
    if started.status_code != 201:
        raise SystemExit(f"the run did not start: {started.status_code} {started.text}")
    first_completed: float | None = None
    delays: list[float] = []
    outcome = "?"
    for kind, data, arrived in events(client, workflow_id):
        if kind == "nodes":
            written = written_at(data)
            if written is not None:
                delays.append((arrived - written) * 1000)
        shown = data.get("nodes", {}).values() if kind in ("snapshot", "nodes") else ()
        if first_completed is None and any(n.get("status") == "completed" for n in shown):
            first_completed = (arrived - pressed) * 1000
        if kind == "end":
            outcome = str(data.get("outcome"))
            break
        if kind == "error":
            raise SystemExit(f"the stream failed: {data}")
    if first_completed is None:
        raise SystemExit(f"{workflow_id}: no node was ever shown completed")
    return first_completed, delays, outcome


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--scale", type=float, default=0.05)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wfd-bench-run-") as folder:
        data = Path(folder) / "data"
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{data / 'wfd.db'}",
            "WFD_DATA_DIR": str(data),
            "WFD_TEMPORAL": "embedded",
        }
        env.pop("WFD_TOKEN", None)
        env.pop("TEMPORAL_ADDRESS", None)
        log = (Path(folder) / "serve.log").open("wb")
        server = subprocess.Popen(
            [str(WFD), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                wait("the server", lambda: client.get("/api/health").status_code == 200)
                wait("Temporal", lambda: client.get("/api/runtime").json().get("up"))
                document = samples.package_management(PROJECT, scale=options.scale)
                stored = client.post("/api/import", json=document, params={"overwrite": "true"})
                stored.raise_for_status()
                deployed = client.post(f"/api/projects/{PROJECT}/deployments")
                deployed.raise_for_status()
                deployment_id = deployed.json()["id"]
                wait(
                    "the worker",
                    lambda: (
                        client.get(f"/api/deployments/{deployment_id}").json()["status"]
                        == "running"
                    ),
                )
                firsts: list[float] = []
                delays: list[float] = []
                for number in range(1, options.runs + 1):
                    first, run_delays, outcome = one_run(client, deployment_id)
                    firsts.append(first)
                    delays.extend(run_delays)
                    print(
                        f"run {number}: {outcome}, first node completed after {first:.0f} ms, "
                        f"{len(run_delays)} updates, slowest {max(run_delays, default=0):.0f} ms",
                        flush=True,
                    )
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()

    print(
        f"start_to_first_completed_ms median={statistics.median(firsts):.0f} p95={p95(firsts):.0f}"
    )
    print(
        f"overlay_delay_ms updates={len(delays)} median={statistics.median(delays):.0f} "
        f"p95={p95(delays):.0f} max={max(delays):.0f}"
    )
    print(f"run_overlay_p95_ms={p95(delays):.0f}")


if __name__ == "__main__":
    main()

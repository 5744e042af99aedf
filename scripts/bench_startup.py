"""How fast the product starts: `wfd --help` to exit, and `wfd serve` to its first answer.

    .venv/bin/python scripts/bench_startup.py [--repeat 3] [--workers 1] [--temporal off]

`wfd --help` runs `--repeat` times, with Python's bytecode cache (as a user's install has it;
the first run fills it) and, separately, with none (every module compiled, as where
PYTHONDONTWRITEBYTECODE is set and no cache exists). `wfd serve` starts on a fresh data
directory (its first start creates the database and seeds the samples), then again on the
seeded one; each is timed from the process start to the first `GET /api/health` that answers
200, with its embedded Temporal (the default) or `--temporal off`. Prints each figure (best of
the runs), the last line `serve_start_s=<seconds>` (the seeded start). Targets: `wfd --help`
within 0.3 s, `wfd serve` within 2 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

WFD = Path(sys.executable).with_name("wfd")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def help_seconds(cache: bool) -> float:
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="wfd-bench-pycache-") as empty:
        if not cache:  # an empty cache folder, never written: every module compiled anew
            environment.update(PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=empty)
        began = time.perf_counter()
        subprocess.run([str(WFD), "--help"], env=environment, capture_output=True, check=True)
        return time.perf_counter() - began


def serve_seconds(data: Path, workers: int, temporal: str) -> float:
    port = free_port()
    environment = {
        **os.environ,
        "WFD_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'wfd.db'}",
        "WFD_TEMPORAL": temporal,
    }
    environment.pop("TEMPORAL_ADDRESS", None)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment.pop("WFD_TOKEN", None)
    began = time.perf_counter()
    process = subprocess.Popen(
        [str(WFD), "serve", "--port", str(port), "--workers", str(workers)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - began < 120:
            if process.poll() is not None:
                raise RuntimeError(f"wfd serve exited with {process.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health").status_code == 200:
                    return time.perf_counter() - began
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        raise RuntimeError("wfd serve did not answer within 120 s")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--temporal", choices=["embedded", "off"], default="embedded")
    arguments = parser.parse_args()
    help_seconds(cache=True)  # fills the bytecode cache, as a first run does
    cached = min(help_seconds(cache=True) for _ in range(arguments.repeat))
    uncached = min(help_seconds(cache=False) for _ in range(arguments.repeat))
    print(f"wfd --help: {cached:.2f} s (bytecode cached), {uncached:.2f} s (no bytecode cache)")
    fresh, seeded = [], []
    for _ in range(arguments.repeat):
        with tempfile.TemporaryDirectory(prefix="wfd-bench-startup-") as folder:
            fresh.append(serve_seconds(Path(folder), arguments.workers, arguments.temporal))
            seeded.append(serve_seconds(Path(folder), arguments.workers, arguments.temporal))
    print(
        f"wfd serve --workers {arguments.workers} --temporal {arguments.temporal} to its first "
        f"answer: {min(fresh):.2f} s on a fresh data directory, {min(seeded):.2f} s on a "
        "seeded one"
    )
    print(f"help_s={cached:.2f}")
    print(f"serve_start_s={min(seeded):.2f}")


if __name__ == "__main__":
    main()

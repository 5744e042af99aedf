"""A real `wfd serve` process on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.waits import Patience

WFD = Path(sys.executable).with_name("wfd")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, database_url: str, workers: int = 1, **env: str) -> str:
        """Start the server (a new port each time) and wait until it answers; its base URL."""
        assert self.process is None, "stop the running server first"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.starts += 1
        log = (self.log_dir / f"serve-{self.starts}.log").open("wb")
        # these servers test the API: no Temporal unless a test asks for it
        environment = {**os.environ, "DATABASE_URL": database_url, "WFD_TEMPORAL": "off", **env}
        if "WFD_TOKEN" not in env:
            environment.pop("WFD_TOKEN", None)
        self.process = subprocess.Popen(
            [str(WFD), "serve", "--port", str(self.port), "--workers", str(workers)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        headers = {"authorization": f"Bearer {env['WFD_TOKEN']}"} if "WFD_TOKEN" in env else {}
        patience = Patience(60)
        try:
            while not patience.over():
                if self.process.poll() is not None:
                    raise RuntimeError(f"wfd serve exited early:\n{self.log()}")
                try:
                    if httpx.get(f"{self.url}/api/health", headers=headers).status_code == 200:
                        return self.url
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
            raise RuntimeError(
                f"wfd serve did not answer within {patience.waited:.0f} s:\n{self.log()}"
            )
        except BaseException:
            self.stop()  # a server that did not start in time is not left running
            raise

    def wait_for_workers(self, workers: int, timeout: float = 60) -> None:
        """Until each of `workers` processes says it has started (`--workers` above 1); the
        wait stretches while the machine is busy."""
        patience = Patience(timeout)
        while self.log().count("Application startup complete.") < workers:
            if patience.over():
                raise RuntimeError(f"fewer than {workers} workers started:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        path = self.log_dir / f"serve-{self.starts}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what was acknowledged must be safe."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

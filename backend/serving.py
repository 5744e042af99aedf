"""`wfd serve`: one server process, or several that share the port, and the runtime beside them.

Several workers each listen on a socket of their own bound with SO_REUSEPORT, so the kernel
spreads new connections over them. (With one socket shared by every worker, the worker that
wakes first takes a whole burst of connections, such as the six a browser opens at once, and the
others sit idle.) A worker that dies is replaced; one that cannot start stops the server.

The runtime (the embedded Temporal and the deployments' workers, see `backend.runtime`) runs in
this process, once, whatever the number of server processes: they find it through the
environment it hands them (WFD_RUNTIME, WFD_TEMPORAL_ADDRESS). It stops after them.
"""

from __future__ import annotations

import importlib
import logging
import logging.config
import multiprocessing
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.logging import DefaultFormatter

from backend.runtime.host import Runtime, RuntimeBusy
from backend.runtime.temporal import TemporalUnavailable
from backend.settings import Settings

APP = "backend.app:create_server_app"

logger = logging.getLogger("uvicorn.error")


class ServeError(RuntimeError):
    """The server cannot listen where it was asked to."""


def serve(host: str, port: int, workers: int, settings: Settings) -> int:
    """Serve until interrupted; the exit status."""
    listening_socket(host, port).close()  # a port in use is reported before anything starts
    supervisor = Supervisor(host, port, workers) if workers > 1 else None
    runtime = None
    try:
        runtime = start_runtime(settings, supervisor.fork_workers if supervisor else None)
        if supervisor is None:
            uvicorn.run(APP, factory=True, host=host, port=port)
            return 0
        return supervisor.run()
    finally:
        if supervisor is not None:
            supervisor.stop_workers()
        if runtime is not None:
            logger.info("Stopping the workers of the deployments and Temporal")
            runtime.stop()


def start_runtime(
    settings: Settings, before_start: Callable[[], None] | None = None
) -> Runtime | None:
    """The runtime, started, its whereabouts in the environment the app processes read;
    `before_start` runs once they are there, before the runtime starts any thread."""
    _show_runtime_logs()
    # Once uvicorn has shut down after SIGINT or SIGTERM, it sends the signal again to the
    # handler that was there before it: this one lets the runtime stop before the process ends.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop_after_shutdown)
    if settings.temporal == "off":
        os.environ["WFD_TEMPORAL"] = "off"
        logger.info("Temporal is off: the designer alone, nothing can be deployed")
        if before_start is not None:
            before_start()
        return None
    runtime = Runtime(settings)
    try:
        runtime.choose_target()
        os.environ.update(runtime.app_environment())
        if before_start is not None:
            before_start()
        runtime.start()
    except (RuntimeBusy, TemporalUnavailable) as error:
        raise ServeError(str(error).splitlines()[0]) from None
    return runtime


def _stop_after_shutdown(_signum: int, _frame: FrameType | None) -> None:
    """Nothing: the servers have shut down, `serve` stops the runtime and returns."""


def _show_runtime_logs() -> None:
    runtime_logger = logging.getLogger("wfd.runtime")
    if not runtime_logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(DefaultFormatter("%(levelprefix)s %(message)s"))
        runtime_logger.addHandler(handler)
        runtime_logger.setLevel(logging.INFO)
        runtime_logger.propagate = False


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other processes of this user may bind as well."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock


def run_worker(host: str, port: int) -> None:
    """One worker process: its own socket on the shared port, its own app."""
    config = uvicorn.Config(APP, factory=True, host=host, port=port)
    try:
        sock = listening_socket(host, port)
    except ServeError as error:
        logger.error("%s", error)
        sys.exit(STARTUP_FAILURE)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    def __init__(self, host: str, port: int, workers: int) -> None:
        self.host = host
        self.port = port
        self.workers = workers
        self.stopping = threading.Event()
        self.processes: list[BaseProcess] = []

    def fork_workers(self) -> None:
        """The first workers, forked from this process once it has imported the app (a
        spawned worker imports it anew, all of them at once on a machine's few cores). Called
        before the runtime starts its thread: a process with threads is not safe to fork."""
        if threading.active_count() > 1:
            return  # not safe to fork: `run` spawns them
        importlib.import_module(APP.partition(":")[0])
        fork = multiprocessing.get_context("fork")
        self.processes = [self.start_worker(fork) for _ in range(self.workers)]

    def start_worker(self, context: ForkContext | SpawnContext | None = None) -> BaseProcess:
        """A worker; one that replaces a dead one is spawned, as threads run by then."""
        process = (context or multiprocessing.get_context("spawn")).Process(
            target=run_worker, args=(self.host, self.port), name="wfd-worker"
        )
        process.start()
        return process

    def stop(self, signum: int, _frame: FrameType | None) -> None:
        logger.info("Received %s, stopping the workers", signal.Signals(signum).name)
        self.stopping.set()

    def run(self) -> int:
        logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
        logger.info("Started supervisor [%s] with %s workers", os.getpid(), self.workers)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.stop)
        processes = self.processes = self.processes or [
            self.start_worker() for _ in range(self.workers)
        ]
        status = 0
        while not self.stopping.wait(0.5):
            for index, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    # the app or its socket is broken: a new worker would fail the same way
                    logger.error("Worker [%s] could not start; stopping", process.pid)
                    status = 1
                    self.stopping.set()
                    break
                logger.warning(
                    "Worker [%s] died (status %s); starting another", process.pid, process.exitcode
                )
                processes[index] = self.start_worker()
        self.stop_workers()
        return status

    def stop_workers(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in hand
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()

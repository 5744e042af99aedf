"""`wfd serve`: one server process, or several that share the port.

Several workers each listen on a socket of their own bound with SO_REUSEPORT, so the kernel
spreads new connections over them. (With one socket shared by every worker, the worker that
wakes first takes a whole burst of connections, such as the six a browser opens at once, and the
others sit idle.) A worker that dies is replaced; one that cannot start stops the server.
"""

from __future__ import annotations

import logging
import logging.config
import multiprocessing
import os
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

APP = "backend.app:create_server_app"

logger = logging.getLogger("uvicorn.error")


class ServeError(RuntimeError):
    """The server cannot listen where it was asked to."""


def serve(host: str, port: int, workers: int) -> int:
    """Serve until interrupted; the exit status."""
    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port)
        return 0
    listening_socket(host, port).close()  # a port in use is reported before any worker starts
    return Supervisor(host, port, workers).run()


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
        self.context = multiprocessing.get_context("spawn")

    def start_worker(self) -> BaseProcess:
        process = self.context.Process(
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
        processes = [self.start_worker() for _ in range(self.workers)]
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
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in hand
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
        return status

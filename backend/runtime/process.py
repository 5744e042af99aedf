"""A child process kept running: its own process group, its output in a log of bounded size,
restarted after a growing pause when it dies, stopped with SIGTERM and then SIGKILL.

Only processes started here are ever signalled, by their process group (each child leads one,
so the helpers it starts go with it). A pid file records each child with its start time, so the
next start on the same data folder can stop a child that outlived a killed parent, and never
a stranger that reused the pid.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal

logger = logging.getLogger("wfd.runtime")

ProcessState = Literal["starting", "running", "restarting", "stopped"]
"""`starting`: spawned, not yet seen to work; `running`: its owner saw it work
(`mark_running`); `restarting`: it died and waits for its next start; `stopped`."""

DEFAULT_LOG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Backoff:
    """Pauses before each restart: `first`, doubled up to `longest`; back to `first` once a run
    has lasted `settled` seconds."""

    first: float = 0.5
    longest: float = 30.0
    settled: float = 30.0


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    """For log lines: `temporal`, `worker hello-draft-1a2b3c4d5e`."""
    command: Sequence[str]
    log_path: Path
    cwd: Path | None = None
    env: Mapping[str, str] | None = None
    """The whole environment of the child; None inherits this process's."""
    log_bytes: int = DEFAULT_LOG_BYTES
    """The log keeps at most twice this: the current file and the one before it (`.1`)."""
    grace: float = 10.0
    """Seconds between SIGTERM and SIGKILL when stopping."""
    pid_file: Path | None = None
    backoff: Backoff = field(default_factory=Backoff)


class LogFile:
    """Appends bytes to `path`; past `limit` bytes, the file becomes `path.1` and a new one
    starts."""

    def __init__(self, path: Path, limit: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.limit = limit
        self.lock = threading.Lock()
        self.file: IO[bytes] = path.open("ab")
        self.size = self.file.tell()

    def write(self, data: bytes) -> None:
        with self.lock:
            if self.size and self.size + len(data) > self.limit:
                self.file.close()
                os.replace(self.path, _previous(self.path))
                self.file = self.path.open("ab")
                self.size = 0
            self.file.write(data)
            self.file.flush()
            self.size += len(data)

    def note(self, text: str) -> None:
        """A line of the supervisor's own, told apart from the child's by its prefix."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        self.write(f"[wfd {stamp}Z] {text}\n".encode())

    def close(self) -> None:
        with self.lock:
            self.file.close()


def _previous(path: Path) -> Path:
    return path.with_name(path.name + ".1")


def read_tail(path: Path, lines: int) -> list[str]:
    """The last `lines` lines of a log `LogFile` writes (from `path.1` too when needed)."""
    if lines <= 0:
        return []
    chunks = []
    for part in (_previous(path), path):
        try:
            chunks.append(part.read_bytes())
        except FileNotFoundError:
            continue
    text = b"".join(chunks).decode("utf-8", errors="replace")
    return text.splitlines()[-lines:]


class SupervisedProcess:
    """One child process, started again whenever it dies until `stop` is called.

    `start` spawns the first run (an executable that cannot be run raises there); a thread then
    waits for each run to end, logs how it ended and starts the next after the backoff pause.
    The child's stdout and stderr go through a pipe into the log, so the log's size stays bound
    whatever the child writes.
    """

    def __init__(self, spec: ProcessSpec) -> None:
        self.spec = spec
        self.log = LogFile(spec.log_path, spec.log_bytes)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self._state: ProcessState = "stopped"
        self.restarts = 0
        self.last_exit: int | None = None
        """The status of the run that ended last: negative for a signal, as in Popen."""
        self.monitor: threading.Thread | None = None
        self.run_ended = threading.Event()

    @property
    def state(self) -> ProcessState:
        return self._state

    @property
    def pid(self) -> int | None:
        process = self.process
        return process.pid if process is not None and self._state != "stopped" else None

    def start(self) -> None:
        with self.lock:
            if self.monitor is not None:
                raise RuntimeError(f"{self.spec.name} was started already")
            self._spawn()
            self.monitor = threading.Thread(
                target=self._supervise, name=f"supervise {self.spec.name}", daemon=True
            )
            self.monitor.start()

    def mark_running(self, pid: int) -> None:
        """The owner saw run `pid` work (it answers, it polls); an older run's pid is ignored."""
        with self.lock:
            if self.process is not None and self.process.pid == pid and self._state == "starting":
                self._state = "running"

    def stop(self) -> None:
        """SIGTERM to the child's group, SIGKILL after the grace period; returns once it is gone."""
        with self.lock:
            self.stopping.set()
            process, ended = self.process, self.run_ended
            if process is not None and process.returncode is None:
                _signal_group(process.pid, signal.SIGTERM)
        if process is not None and not ended.wait(self.spec.grace):
            with self.lock:
                if process.returncode is None:
                    _signal_group(process.pid, signal.SIGKILL)
        if self.monitor is not None:
            self.monitor.join()
        with self.lock:
            self._state = "stopped"
        if self.spec.pid_file is not None:
            self.spec.pid_file.unlink(missing_ok=True)
        self.log.close()

    def tail(self, lines: int) -> list[str]:
        return read_tail(self.spec.log_path, lines)

    # --- inside ---------------------------------------------------------------------------

    def _spawn(self) -> None:
        """Start a run; the caller holds the lock."""
        process = subprocess.Popen(
            list(self.spec.command),
            cwd=self.spec.cwd,
            env=None if self.spec.env is None else dict(self.spec.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: signals reach its helpers too
            close_fds=True,
        )
        self.process = process
        self.run_ended = threading.Event()
        self._state = "starting"
        self.log.note(f"started {self.spec.name} (pid {process.pid})")
        if self.spec.pid_file is not None:
            write_pid_file(self.spec.pid_file, process.pid)
        assert process.stdout is not None
        threading.Thread(
            target=self._copy_output,
            args=(process.stdout,),
            name=f"log {self.spec.name}",
            daemon=True,
        ).start()

    def _copy_output(self, stream: IO[bytes]) -> None:
        descriptor = stream.fileno()
        try:
            while chunk := os.read(descriptor, 65536):
                self.log.write(chunk)
        except (OSError, ValueError):
            pass  # the log was closed by `stop`
        finally:
            stream.close()

    def _supervise(self) -> None:
        pause = self.spec.backoff.first
        while True:
            process = self.process
            assert process is not None
            began = time.monotonic()
            # wait without reaping: until it is reaped, its pid names its group and no other
            with contextlib.suppress(ChildProcessError):  # reaped already: nothing to wait for
                os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
            with self.lock:
                # helpers it left behind would hold on to its pipe
                _signal_group(process.pid, signal.SIGKILL)
                status = process.wait()
                self.last_exit = status
                self.run_ended.set()
            if self.stopping.is_set():
                self._note(f"{self.spec.name} stopped ({_describe(status)})")
                return
            if time.monotonic() - began >= self.spec.backoff.settled:
                pause = self.spec.backoff.first
            with self.lock:
                self._state = "restarting"
                self.restarts += 1
            self._note(f"{self.spec.name} {_describe(status)}; starting it again in {pause:g} s")
            logger.warning("%s %s; restarting in %g s", self.spec.name, _describe(status), pause)
            while True:
                if self.stopping.wait(pause):
                    return
                pause = min(pause * 2, self.spec.backoff.longest)
                with self.lock:
                    if self.stopping.is_set():
                        return
                    try:
                        self._spawn()
                        break
                    except OSError as error:
                        self._note(f"cannot start {self.spec.name}: {error}")

    def _note(self, text: str) -> None:
        with contextlib.suppress(ValueError):  # the log was closed by `stop`
            self.log.note(text)


def _describe(status: int) -> str:
    if status < 0:
        try:
            return f"was killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"was killed by signal {-status}"
    return f"exited with status {status}"


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


# --- pid files --------------------------------------------------------------------------------


def _start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot), or None when it is gone (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name in parentheses may hold spaces; the fields after it are plain
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] == "Z" else fields[19]


def write_pid_file(path: Path, pid: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "started": _start_time(pid)}))


def stop_leftover(path: Path, grace: float = 10.0) -> bool:
    """Stop the process a pid file names if it is still the one that was recorded (a child of
    a parent that was killed before it could stop it); True when one was stopped."""
    try:
        recorded = json.loads(path.read_text())
        pid, started = int(recorded["pid"]), recorded["started"]
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return False
    found = started is not None and _start_time(pid) == started
    if found:
        logger.warning("stopping pid %s left running by an earlier server (%s)", pid, path.name)
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _start_time(pid) == started and time.monotonic() < deadline:
            time.sleep(0.05)
        if _start_time(pid) == started:
            _signal_group(pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    return found

"""A supervised child process: restarted when it dies, stopped with its helpers, its log bound."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.runtime.process import Backoff, ProcessSpec, SupervisedProcess, stop_leftover
from tests.backend.runtime_support import process_exists, wait_for

FAST = Backoff(first=0.05, longest=0.2, settled=30)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[list[SupervisedProcess]]:
    """Every process a test starts is stopped at its end."""
    started: list[SupervisedProcess] = []
    try:
        yield started
    finally:
        for process in started:
            process.stop()


def start(started: list[SupervisedProcess], spec: ProcessSpec) -> SupervisedProcess:
    process = SupervisedProcess(spec)
    started.append(process)
    process.start()
    return process


def test_a_child_that_dies_is_started_again_and_its_output_kept(
    supervised: list[SupervisedProcess], tmp_path: Path
) -> None:
    log = tmp_path / "child.log"
    code = """
        import os, time
        print("hello from", os.getpid(), flush=True)
        time.sleep(600)
    """
    process = start(supervised, ProcessSpec("child", python(code), log, backoff=FAST))
    first = process.pid
    assert first is not None
    wait_for(lambda: f"hello from {first}" in "\n".join(process.tail(10)), "the first greeting")

    os.kill(first, signal.SIGKILL)
    second = wait_for(lambda: process.pid if process.pid not in (None, first) else None, "a rerun")
    wait_for(lambda: f"hello from {second}" in "\n".join(process.tail(10)), "the second greeting")

    assert process.restarts == 1
    assert process.last_exit == -signal.SIGKILL
    assert not process_exists(first)
    lines = process.tail(10)
    assert any("was killed by SIGKILL; starting it again" in line for line in lines), lines


def test_stop_ends_the_child_and_the_helpers_it_started(
    supervised: list[SupervisedProcess], tmp_path: Path
) -> None:
    helper_pid = tmp_path / "helper.pid"
    code = f"""
        import subprocess, sys, time
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open({str(helper_pid)!r}, "w").write(str(helper.pid))
        time.sleep(600)
    """
    process = start(supervised, ProcessSpec("parent", python(code), tmp_path / "parent.log"))
    pid = process.pid
    assert pid is not None
    helper = int(
        wait_for(lambda: helper_pid.read_text() if helper_pid.exists() else None, "the helper")
    )

    process.stop()

    assert process.state == "stopped"
    assert process.pid is None
    assert not process_exists(pid)
    # signalled with its group; the kernel may take a moment to end it
    wait_for(lambda: not process_exists(helper), "the helper to end")


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(
    supervised: list[SupervisedProcess], tmp_path: Path
) -> None:
    code = """
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("ready", flush=True)
        time.sleep(600)
    """
    spec = ProcessSpec("stubborn", python(code), tmp_path / "stubborn.log", grace=0.5)
    process = start(supervised, spec)
    pid = process.pid
    assert pid is not None
    wait_for(lambda: "ready" in process.tail(5), "the child to ignore SIGTERM")

    process.stop()

    assert not process_exists(pid)
    assert process.last_exit == -signal.SIGKILL


def test_the_log_keeps_its_size_bound_and_its_last_lines(
    supervised: list[SupervisedProcess], tmp_path: Path
) -> None:
    log = tmp_path / "chatty.log"
    code = """
        for number in range(20000):
            print(f"line {number:05d} " + "x" * 40)
        print("done", flush=True)
        import time; time.sleep(600)
    """
    process = start(supervised, ProcessSpec("chatty", python(code), log, log_bytes=64 * 1024))
    wait_for(lambda: process.tail(1) == ["done"], "the child to write everything")

    kept = log.stat().st_size + log.with_name("chatty.log.1").stat().st_size
    assert kept <= 2 * 64 * 1024
    assert process.tail(3)[:2] == [f"line {n:05d} " + "x" * 40 for n in (19998, 19999)]


def test_a_child_left_running_by_a_killed_parent_is_stopped_by_its_pid_file(
    supervised: list[SupervisedProcess], tmp_path: Path
) -> None:
    pid_file = tmp_path / "run" / "orphan.pid"
    spec = ProcessSpec(
        "orphan", python("import time; time.sleep(600)"), tmp_path / "o.log", pid_file=pid_file
    )
    process = start(supervised, spec)
    pid = process.pid
    assert pid is not None and pid_file.exists()

    # as the next server start does, before its own children start
    assert stop_leftover(pid_file)

    assert not process_exists(pid)
    assert not pid_file.exists()
    # a pid file naming a process that is gone (or another one) stops nothing
    pid_file.write_text(f'{{"pid": {os.getpid()}, "started": "0"}}')
    assert not stop_leftover(pid_file)
    assert process_exists(os.getpid())

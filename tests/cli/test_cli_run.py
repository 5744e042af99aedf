"""`wfd run`, run as a user runs it: a subprocess on a real Temporal dev server, its output, its
exit status, and the processes it started, every one of them gone once it has ended."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.testing import WorkflowEnvironment

from tests.backend.runtime_support import (
    children_of,
    command_line,
    greeting_project,
    process_exists,
    wait_for,
)
from tests.cli.test_cli import HELLO, ROOT, WFD, write

RUN_DEADLINE = 300.0
"""Seconds a whole `wfd run` may take: the dev server alone has needed 20+ s on a busy machine."""
TIME = r"\d\d:\d\d:\d\d\.\d{3}"


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    started: dict[int, str] = field(default_factory=dict)
    """Every process seen below `wfd run` while it ran: pid -> command line."""

    def started_matching(self, word: str) -> list[int]:
        return [pid for pid, command in self.started.items() if word in command]


class Watched:
    """`wfd` in a subprocess, its descendants noted every few milliseconds while it runs."""

    def __init__(self, arguments: list[str], folder: Path) -> None:
        self.out_path, self.err_path = folder / "stdout.txt", folder / "stderr.txt"
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.process = subprocess.Popen(
                [str(WFD), *arguments], stdout=out, stderr=err, cwd=ROOT, text=True
            )
        self.started: dict[int, str] = {}
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.watcher.start()

    def _watch(self) -> None:
        while self.process.poll() is None:
            for pid in _descendants(self.process.pid):
                # read again each time: a child seen between fork and exec still shows the
                # parent's command line
                command = command_line(pid)
                if command or pid not in self.started:
                    self.started[pid] = command
            time.sleep(0.02)

    @property
    def stderr(self) -> str:
        return self.err_path.read_text()

    def finish(self) -> Outcome:
        try:
            self.process.wait(RUN_DEADLINE)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self.watcher.join()
        return Outcome(
            self.process.returncode, self.out_path.read_text(), self.stderr, dict(self.started)
        )


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        children = children_of(pid)
    except OSError:  # it has just ended
        return found
    for child in children:
        found.append(child)
        found.extend(_descendants(child))
    return found


@contextmanager
def watched(arguments: list[str | Path], folder: Path) -> Iterator[Watched]:
    running = Watched([str(a) for a in arguments], folder)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


def run_wfd(arguments: list[str | Path], folder: Path) -> Outcome:
    with watched(arguments, folder) as running:
        return running.finish()


def assert_no_traceback(outcome: Outcome) -> None:
    assert "Traceback" not in outcome.stdout + outcome.stderr, outcome.stderr


def assert_nothing_left(outcome: Outcome) -> None:
    left = {pid: command for pid, command in outcome.started.items() if process_exists(pid)}
    assert not left, f"still running after wfd run ended: {left}"


def failing_project() -> dict[str, Any]:
    """`greet`, whose activity refuses the name Bob (for good: no retry)."""
    document = greeting_project("cli-run-failing")
    implementation = document["activities"][0]["implementation"]
    implementation["fail_when"] = {"name": "Bob"}
    implementation["fail_message"] = "no greeting for {name}"
    return document


def test_run_prints_each_node_and_the_result(tmp_path: Path) -> None:
    outcome = run_wfd(
        ["run", HELLO, "greet", "--input", '{"name": "Ada", "loud": false}'], tmp_path
    )

    assert outcome.returncode == 0, outcome.stderr
    assert json.loads(outcome.stdout) == "Hello, Ada!"
    lines = outcome.stderr.splitlines()
    compose = [line for line in lines if "compose (Compose greeting)" in line]
    assert compose, outcome.stderr
    assert re.match(
        rf"{TIME}  compose \(Compose greeting\) +completed +attempt 1  [\d.]+ s$", compose[-1]
    )
    assert any(re.match(rf"{TIME}  start \(Start\) +completed", line) for line in lines)
    assert any(re.match(rf"{TIME}  loud \(Loud\?\) +completed", line) for line in lines)
    assert not any("shout" in line for line in lines), "the branch not taken is not reported"
    assert re.search(r"^completed in [\d.]+ s$", outcome.stderr, re.MULTILINE), outcome.stderr
    assert_no_traceback(outcome)
    # it started a dev server and a worker, and stopped both
    assert outcome.started_matching("start-dev"), outcome.started
    assert outcome.started_matching(".worker"), outcome.started
    assert_nothing_left(outcome)


async def test_a_failing_activity_exits_1_naming_the_node_and_its_message(
    tmp_path: Path, temporal_env: WorkflowEnvironment
) -> None:
    """On a server of one's own (`--address`): only the worker is started, and stopped."""
    document = write(tmp_path, "failing.json", failing_project())
    address = temporal_env.client.service_client.config.target_host
    arguments: list[str | Path] = ["run", document, "greet", "--input", '{"name": "Bob"}']
    outcome = await _in_thread([*arguments, "--address", address], tmp_path)

    assert outcome.returncode == 1, outcome.stderr
    assert outcome.stdout == ""
    assert re.search(
        rf"^{TIME}  say +failed +attempt 1  [\d.]+ s: no greeting for Bob$",
        outcome.stderr,
        re.MULTILINE,
    ), outcome.stderr
    assert re.search(
        r"^failed after [\d.]+ s: say \(say\) failed: no greeting for Bob$",
        outcome.stderr,
        re.MULTILINE,
    ), outcome.stderr
    assert f"Temporal at {address}" in outcome.stderr
    assert not outcome.started_matching("start-dev"), outcome.started
    assert outcome.started_matching(".worker"), outcome.started
    assert_nothing_left(outcome)

    # without --follow: the same outcome, no node lines
    quiet = await _in_thread([*arguments, "--address", address, "--no-follow"], tmp_path)
    assert quiet.returncode == 1, quiet.stderr
    assert not re.search(rf"^{TIME}", quiet.stderr, re.MULTILINE), quiet.stderr
    assert "say (say) failed: no greeting for Bob" in quiet.stderr
    assert_nothing_left(quiet)


async def _in_thread(arguments: list[str | Path], folder: Path) -> Outcome:
    return await asyncio.to_thread(run_wfd, arguments, folder)


def test_a_bad_input_exits_2_naming_the_field_and_starts_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    outcome = run_wfd(
        ["run", HELLO, "greet", "--input", '{"name": 3, "loud": false}', "--data", data], tmp_path
    )

    assert outcome.returncode == 2, outcome.stderr
    assert "input.name" in outcome.stderr
    assert "error: the input does not fit" in outcome.stderr
    assert_no_traceback(outcome)
    assert "Temporal" not in outcome.stderr
    # only the compiler's formatter ran: no Temporal, no worker
    assert not _servers_or_workers(outcome), outcome.started
    assert not (data / "temporal.db").exists()
    assert not (data / "logs").exists()

    unknown = run_wfd(["run", HELLO, "welcome"], tmp_path)
    assert unknown.returncode == 2
    assert "no workflow 'welcome' (it has: greet)" in unknown.stderr
    assert not _servers_or_workers(unknown), unknown.started


def _servers_or_workers(outcome: Outcome) -> list[int]:
    return outcome.started_matching("start-dev") + outcome.started_matching(".worker")


def test_ctrl_c_cancels_the_run_and_stops_everything_it_started(tmp_path: Path) -> None:
    document = write(tmp_path, "slow.json", greeting_project("cli-run-slow", delay_seconds=600))
    with watched(["run", document, "greet", "--input", '{"name": "Cy"}'], tmp_path) as running:
        wait_for(
            lambda: re.search(rf"^{TIME}  say +running", running.stderr, re.MULTILINE),
            "the activity to run",
            deadline=RUN_DEADLINE,
        )
        running.process.send_signal(signal.SIGINT)
        outcome = running.finish()

    assert outcome.returncode == 130, outcome.stderr
    assert "interrupted: cancelling run greet-" in outcome.stderr
    assert re.search(r"^cancelled after [\d.]+ s", outcome.stderr, re.MULTILINE), outcome.stderr
    assert outcome.stdout == ""
    assert_no_traceback(outcome)
    assert outcome.started_matching("start-dev"), outcome.started
    assert outcome.started_matching(".worker"), outcome.started
    assert_nothing_left(outcome)

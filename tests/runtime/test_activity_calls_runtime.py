"""What Temporal experts expect of a generated activity call, run on the real dev server.

A call without a retry policy gives up after ten attempts. A call with a heartbeat timeout
heartbeats while it works (every implementation kind), so a call longer than its heartbeat
timeout finishes on its first attempt, and a cancellation reaches it: a `shell` command is
killed when its run is cancelled or its worker stops. Each call has an idempotency key, the
same on every retry and different for every other call.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import signal
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, RetryState
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    Worker,
)

from tests.support.harness import chain, import_package, node, project, running_worker, unique_id

RUN_TIMEOUT = timedelta(seconds=60)
"""A broken workflow fails its test after this long instead of hanging the session."""

PATIENCE = 60.0
"""Seconds a poll waits for what it expects; it returns as soon as it sees it, so a busy
machine only makes it slower."""

STARTED = EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
CANCEL_REQUESTED = EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED


# helpers


def one_step_workflow(
    workflow_id: str, activity: str, inputs: dict[str, str], output: str = "str", **call: Any
) -> dict[str, Any]:
    """start -> one call of `activity` (each input field passed on) -> end returning its result."""
    return {
        "id": workflow_id,
        "input": inputs,
        "output": output,
        "nodes": [
            node("start", "start"),
            node(
                "call",
                "activity",
                activity=activity,
                args={name: f"input.{name}" for name in inputs},
                result="outcome",
                **call,
            ),
            node("finish", "end", value="outcome"),
        ],
        "edges": chain("start", "call", "finish"),
    }


def user_module(folder: Path, name: str, source: str) -> None:
    """A team's own module beside the generated package, which its `python` activities import
    (and which may import the package)."""
    (folder / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")


async def start(client: Client, task_queue: str, name: str, arg: Any) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        name, arg, id=unique_id(name), task_queue=task_queue, execution_timeout=RUN_TIMEOUT
    )


async def attempts(handle: WorkflowHandle[Any, Any]) -> list[int]:
    """The attempt number of each activity execution the history recorded as started."""
    history = await handle.fetch_history()
    return [
        event.activity_task_started_event_attributes.attempt
        for event in history.events
        if event.event_type == STARTED
    ]


async def until(check: Callable[[], Awaitable[bool]]) -> bool:
    """Polls `check` until it holds or PATIENCE runs out; returns its last answer."""
    deadline = time.monotonic() + PATIENCE
    while not await check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def pid_written(path: Path) -> int:
    async def written() -> bool:
        return path.exists() and path.read_text().strip().isdigit()

    assert await until(written), f"the command never wrote its pid to {path}"
    return int(path.read_text())


class Outcomes(Interceptor):
    """Records what each activity execution ended with: its result or the exception it raised."""

    def __init__(self) -> None:
        self.raised: list[BaseException] = []

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        raised = self.raised

        class Recording(ActivityInboundInterceptor):
            async def execute_activity(self, input: ExecuteActivityInput) -> Any:
                try:
                    return await super().execute_activity(input)
                except BaseException as error:
                    raised.append(error)
                    raise

        return Recording(next)


@contextlib.asynccontextmanager
async def recording_worker(
    client: Client, modules: dict[str, ModuleType], outcomes: Outcomes
) -> AsyncIterator[str]:
    task_queue = unique_id("tq")
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=modules["worker"].WORKFLOWS,
        activities=modules["worker"].ACTIVITIES,
        interceptors=[outcomes],
    ):
        yield task_queue


# retries


async def test_a_retry_policy_without_maximum_attempts_gives_up_after_ten(
    client: Client, package_dir: Path
) -> None:
    failing = {
        "name": "always_fails",
        "input": {"key": "str"},
        "output": "str",
        "implementation": {"kind": "simulate", "result": "{key}", "fail_attempts": 1000},
        # a quick backoff, and no word on the number of attempts
        "defaults": {"retry": {"initial_interval": "50ms", "backoff_coefficient": 1.0}},
    }
    document = project(
        "calls-retry-bound",
        [one_step_workflow("doomed", "always_fails", {"key": "str"})],
        activities=[failing],
    )
    modules = import_package(document, package_dir)
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "doomed", modules["models"].DoomedInput(key="k"))
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    cause = failed.value.cause
    assert isinstance(cause, ActivityError)
    assert cause.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED
    assert isinstance(cause.cause, ApplicationError)
    assert cause.cause.message == "simulated failure (attempt 10)"


# heartbeats


async def test_calls_longer_than_their_heartbeat_timeout_finish_on_the_first_attempt(
    client: Client, package_dir: Path
) -> None:
    user_module(
        package_dir,
        "heartbeat_user_code",
        """
        import asyncio
        from typing import Any


        async def take_time(input: Any) -> str:
            await asyncio.sleep(input.seconds)
            return f"worked {input.seconds}s"
        """,
    )
    # each call takes three heartbeat timeouts; one attempt only, so a missed heartbeat fails
    call: dict[str, Any] = {"heartbeat_timeout": "2s", "retry": {"maximum_attempts": 1}}
    document = project(
        "calls-heartbeat",
        [
            one_step_workflow("simulated", "wait_simulated", {"key": "str"}, **call),
            one_step_workflow("own-code", "wait_in_own_code", {"seconds": "float"}, **call),
        ],
        activities=[
            {
                "name": "wait_simulated",
                "input": {"key": "str"},
                "output": "str",
                "implementation": {"kind": "simulate", "result": "{key}", "delay_seconds": 6},
            },
            {
                "name": "wait_in_own_code",
                "input": {"seconds": "float"},
                "output": "str",
                "implementation": {
                    "kind": "python",
                    "function": "heartbeat_user_code:take_time",
                },
            },
        ],
    )
    modules = import_package(document, package_dir)
    models = modules["models"]
    async with running_worker(client, modules) as task_queue:
        simulated = await start(client, task_queue, "simulated", models.SimulatedInput(key="k"))
        own = await start(client, task_queue, "own-code", models.OwnCodeInput(seconds=6.0))
        results = await asyncio.gather(simulated.result(), own.result())
        assert list(results) == ["k", "worked 6.0s"]
        assert await attempts(simulated) == [1]
        assert await attempts(own) == [1]


# shell commands end with their call


def pid_then_sleep(pid_file: Path) -> dict[str, Any]:
    """A `shell` activity: writes its pid to `pid_file`, then sleeps for ten minutes."""
    script = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(600)"
    return {
        "name": "pid_then_sleep",
        "input": {"tag": "str"},
        "output": "str",
        "implementation": {
            "kind": "shell",
            "command": [sys.executable, "-c", script, str(pid_file)],
            "timeout_seconds": 900,
        },
        "defaults": {"start_to_close_timeout": "20m", "heartbeat_timeout": "2s"},
    }


def shell_project(project_id: str, pid_file: Path) -> dict[str, Any]:
    return project(
        project_id,
        [one_step_workflow("sleeper", "pid_then_sleep", {"tag": "str"})],
        activities=[pid_then_sleep(pid_file)],
    )


@contextlib.contextmanager
def killed_at_the_end(pid_file: Path) -> Any:
    """Kills the command if the test leaves it running (it fails then, but leaves no process)."""
    try:
        yield
    finally:
        if pid_file.exists() and pid_file.read_text().isdigit():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGKILL)


async def test_cancelling_a_run_kills_its_shell_command(
    client: Client, package_dir: Path, tmp_path: Path
) -> None:
    pid_file = tmp_path / "cancelled.pid"
    modules = import_package(shell_project("calls-shell-cancel", pid_file), package_dir)
    outcomes = Outcomes()
    with killed_at_the_end(pid_file):
        async with recording_worker(client, modules, outcomes) as task_queue:
            handle = await start(
                client, task_queue, "sleeper", modules["models"].SleeperInput(tag="t")
            )
            pid = await pid_written(pid_file)
            await handle.cancel()
            with pytest.raises(WorkflowFailureError) as failed:
                await handle.result()
            assert isinstance(failed.value.cause, CancelledError)

            async def gone() -> bool:
                return not alive(pid)

            assert await until(gone), f"the command (pid {pid}) outlived its cancelled call"

            async def recorded() -> bool:
                return bool(outcomes.raised)

            assert await until(recorded)
        # the call itself ended cancelled, not failed or timed out
        assert [type(error) for error in outcomes.raised] == [asyncio.CancelledError]
        history = await handle.fetch_history()
        assert any(event.event_type == CANCEL_REQUESTED for event in history.events)


async def test_stopping_the_worker_kills_a_running_shell_command(
    client: Client, package_dir: Path, tmp_path: Path
) -> None:
    pid_file = tmp_path / "stopped.pid"
    modules = import_package(shell_project("calls-shell-shutdown", pid_file), package_dir)
    with killed_at_the_end(pid_file):
        async with running_worker(client, modules) as task_queue:
            handle = await start(
                client, task_queue, "sleeper", modules["models"].SleeperInput(tag="t")
            )
            pid = await pid_written(pid_file)
        # the worker has shut down, cancelling the calls it was running
        try:
            assert not alive(pid), f"the command (pid {pid}) outlived its stopped worker"
            description = await handle.describe()
            assert description.status == WorkflowExecutionStatus.RUNNING  # another worker retries
        finally:
            await handle.terminate("test over")


# idempotency keys


async def test_each_call_has_an_idempotency_key_kept_across_its_retries(
    client: Client, package_dir: Path
) -> None:
    user_module(
        package_dir,
        "keys_user_code",
        """
        from typing import Any

        from temporalio import activity
        from temporalio.exceptions import ApplicationError

        from calls_keys import idempotency_key

        SEEN: list[tuple[str, int, str]] = []


        async def open_pull_request(input: Any) -> str:
            SEEN.append((input.title, activity.info().attempt, idempotency_key()))
            if activity.info().attempt == 1:
                raise ApplicationError("the service timed out; did it open the PR?")
            return idempotency_key()
        """,
    )
    fast = {"initial_interval": "50ms", "maximum_attempts": 3}
    document = project(
        "calls-keys",
        [
            {
                "id": "twice",
                "output": "list[str]",
                "nodes": [
                    node("start", "start"),
                    node(
                        "first", "activity", activity="open_pr", args={"title": "'a'"}, result="a"
                    ),
                    node(
                        "again", "activity", activity="open_pr", args={"title": "'b'"}, result="b"
                    ),
                    node(
                        "stand_in",
                        "activity",
                        activity="open_pr_simulated",
                        args={"title": "'c'"},
                        result="c",
                    ),
                    node("finish", "end", value="[a, b, c]"),
                ],
                "edges": chain("start", "first", "again", "stand_in", "finish"),
            }
        ],
        activities=[
            {
                "name": "open_pr",
                "input": {"title": "str"},
                "output": "str",
                "implementation": {
                    "kind": "python",
                    "function": "keys_user_code:open_pull_request",
                },
                "defaults": {"retry": fast},
            },
            {
                "name": "open_pr_simulated",
                "input": {"title": "str"},
                "output": "str",
                "implementation": {
                    "kind": "simulate",
                    "result": "{idempotency_key}",
                    "fail_attempts": 1,
                },
                "defaults": {"retry": fast},
            },
        ],
    )
    modules = import_package(document, package_dir)
    code = importlib.import_module("keys_user_code")
    async with running_worker(client, modules) as task_queue:
        handle = await start(client, task_queue, "twice", modules["models"].TwiceInput())
        first, again, stand_in = await handle.result()
    run_id = handle.result_run_id
    assert run_id is not None
    # each call kept its key on its second attempt, and returned the key it was sent with
    seen = code.SEEN
    assert seen == [("a", 1, first), ("a", 2, first), ("b", 1, again), ("b", 2, again)]
    # keys differ from call to call and belong to this run; templates can read them too
    assert len({first, again, stand_in}) == 3
    assert all(key.startswith(run_id) for key in (first, again, stand_in))

"""What Temporal experts expect of a generated activity call, run on the real dev server.

A call without a retry policy gives up after ten attempts.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from tests.harness import chain, import_package, node, project, running_worker, unique_id

RUN_TIMEOUT = timedelta(seconds=60)
"""A broken workflow fails its test after this long instead of hanging the session."""


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


async def start(client: Client, task_queue: str, name: str, arg: Any) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        name, arg, id=unique_id(name), task_queue=task_queue, execution_timeout=RUN_TIMEOUT
    )


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

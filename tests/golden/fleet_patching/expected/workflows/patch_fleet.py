"""Workflow Patch fleet (patch-fleet), generated from its graph."""

import asyncio
import dataclasses
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError, FailureError

with workflow.unsafe.imports_passed_through():
    from fleet_patching.activities import (
        check_health,
        drain_host,
        list_hosts,
        notify_team,
        patch_host,
        restore_host,
        smoke_test,
    )
    from fleet_patching.models import (
        CheckHealthInput,
        DrainHostInput,
        ListHostsInput,
        NotifyTeamInput,
        PatchFleetInput,
        PatchFleetState,
        PatchHostInput,
        RestoreHostInput,
        SmokeTestInput,
    )


@workflow.defn(name="patch-fleet")
class PatchFleetWorkflow:
    """Patches every host of a region one at a time, then smoke-tests them a few at
    a time.
    """

    @workflow.init
    def __init__(self, input: PatchFleetInput) -> None:
        self._input = input
        self._state = input.resume_state or PatchFleetState()

    @workflow.run
    async def run(self, input: PatchFleetInput) -> None:
        """Patches every host of a region one at a time, then smoke-tests them a few at
        a time.
        """
        hosts = await workflow.execute_activity(
            list_hosts,
            ListHostsInput(region=self._input.region),
            start_to_close_timeout=timedelta(minutes=1),
        )
        for item in hosts:
            compensations: list[Callable[[], Awaitable[Any]]] = []
            error: str | None = None
            try:
                await workflow.execute_activity(
                    drain_host,
                    DrainHostInput(host=item),
                    start_to_close_timeout=timedelta(minutes=2),
                )
                compensations.append(
                    functools.partial(
                        workflow.execute_activity,
                        restore_host,
                        RestoreHostInput(host=item),
                        start_to_close_timeout=timedelta(minutes=2),
                        retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5)),
                        summary="drain: undo Drain",
                    )
                )
                installed = await workflow.execute_activity(
                    patch_host,
                    PatchHostInput(host=item, version=self._input.version),
                    start_to_close_timeout=timedelta(minutes=15),
                    heartbeat_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(
                        initial_interval=timedelta(seconds=30), maximum_attempts=2
                    ),
                )
                await workflow.execute_activity(
                    restore_host,
                    RestoreHostInput(host=item),
                    start_to_close_timeout=timedelta(minutes=2),
                    retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5)),
                    summary="restore: Restore",
                )
                self._state.patched = self._state.patched + [f"{item}@{installed}"]
            except (ActivityError, ChildWorkflowError, ApplicationError) as failure:
                error = self._failure_message(failure)
                workflow.logger.warning(
                    "%s failed: %s; undoing %d completed steps",
                    "one_host: Patch one host",
                    error,
                    len(compensations),
                )
                for compensate in reversed(compensations):
                    await compensate()
            except asyncio.CancelledError:
                # cancelled: undo the completed steps, then let the cancellation go on
                workflow.logger.warning(
                    "%s cancelled; undoing %d completed steps",
                    "one_host: Patch one host",
                    len(compensations),
                )
                for compensate in reversed(compensations):
                    await compensate()
                raise
            if error is not None:
                self._state.failed = self._state.failed + [item + ": " + error]
        slots_2 = asyncio.Semaphore(4)

        async def each_smoke_test_every_host(item_2: Any, index_2: int) -> None:
            async with slots_2:
                passed = await workflow.execute_activity(
                    smoke_test,
                    SmokeTestInput(host=item_2),
                    start_to_close_timeout=timedelta(minutes=1),
                )
                if not passed:
                    self._state.failed = self._state.failed + [item_2 + ": smoke test failed"]

        smoke_test_every_host_tasks = [
            asyncio.create_task(each_smoke_test_every_host(item_2, index_2))
            for index_2, item_2 in enumerate(hosts)
        ]
        try:
            await asyncio.gather(*smoke_test_every_host_tasks)
        finally:
            for task in smoke_test_every_host_tasks:
                task.cancel()
        attempt = 0
        delay = 5.0
        exhausted = False
        while True:
            attempt += 1
            try:
                healthy = await workflow.execute_activity(
                    check_health,
                    CheckHealthInput(region=self._input.region),
                    start_to_close_timeout=timedelta(minutes=1),
                )
            except (ActivityError, ChildWorkflowError, ApplicationError) as error_2:
                if isinstance(error_2, ApplicationError) and error_2.non_retryable:
                    raise
                if attempt >= 8:
                    exhausted = True
                    break
                workflow.logger.warning(
                    "%s: attempt %d failed: %s", "health: Wait for health", attempt, error_2
                )
            else:
                if healthy:
                    break
                if attempt >= 8:
                    exhausted = True
                    break
            await workflow.sleep(
                delay * (1 + 0.2 * workflow.random().random()),
                summary=f"health: backoff after attempt {attempt}",
            )
            delay = delay * 2.0
            delay = min(delay, 60.0)
        if exhausted:
            raise ApplicationError(
                f"{self._input.region} is still unhealthy after patching",
                type="RegionUnhealthy",
                non_retryable=True,
            )
        self._state.sweeps = self._state.sweeps + 1
        if len(self._state.failed) > 0:
            await workflow.execute_activity(
                notify_team,
                NotifyTeamInput(
                    text=f"{len(self._state.failed)} hosts in {self._input.region} failed: {self._state.failed}"
                ),
                start_to_close_timeout=timedelta(minutes=1),
            )
        if workflow.info().is_continue_as_new_suggested():
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(dataclasses.replace(self._input, resume_state=self._state))
        return

    @workflow.query(name="progress")
    def progress(self) -> dict[str, int]:
        """Query progress (node progress)."""
        return {
            "patched": len(self._state.patched),
            "failed": len(self._state.failed),
            "sweeps": self._state.sweeps,
        }

    @staticmethod
    def _failure_message(failure: BaseException) -> str:
        """The message at the root of a failure chain (child -> activity -> application error)."""
        while isinstance(failure, FailureError) and failure.cause is not None:
            failure = failure.cause
        return failure.message if isinstance(failure, FailureError) else str(failure)

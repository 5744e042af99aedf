"""Workflow Patch fleet (patch-fleet), generated from its graph."""

import asyncio
import dataclasses
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    FailureError,
    RetryState,
    is_cancelled_exception,
)

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
        self._state = self._input.resume_state or PatchFleetState()

    @workflow.run
    async def run(self, input: PatchFleetInput) -> None:
        """Patches every host of a region one at a time, then smoke-tests them a few at
        a time.
        """
        hosts = await workflow.execute_activity(
            list_hosts,
            ListHostsInput(region=self._input.region),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        for each_host_item in hosts:
            one_host_compensations: list[Callable[[], Awaitable[Any]]] = []
            one_host_error: str | None = None
            try:
                drain_handle = workflow.start_activity(
                    drain_host,
                    DrainHostInput(host=each_host_item),
                    start_to_close_timeout=timedelta(minutes=2),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                )
                try:
                    # shielded: a result that comes with a cancellation still completes the step
                    await asyncio.shield(drain_handle)
                except asyncio.CancelledError:
                    drain_handle.cancel()  # a step still running stops with the workflow
                    raise
                finally:
                    if self._completed(drain_handle):
                        one_host_compensations.append(
                            functools.partial(
                                workflow.execute_activity,
                                restore_host,
                                RestoreHostInput(host=each_host_item),
                                start_to_close_timeout=timedelta(minutes=2),
                                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5)),
                                summary="drain: undo Drain",
                            )
                        )
                installed = await workflow.execute_activity(
                    patch_host,
                    PatchHostInput(host=each_host_item, version=self._input.version),
                    start_to_close_timeout=timedelta(minutes=15),
                    heartbeat_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(
                        initial_interval=timedelta(seconds=30), maximum_attempts=2
                    ),
                )
                await workflow.execute_activity(
                    restore_host,
                    RestoreHostInput(host=each_host_item),
                    start_to_close_timeout=timedelta(minutes=2),
                    retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5)),
                    summary="restore: Restore",
                )
                self._state.patched = self._state.patched + [f"{each_host_item}@{installed}"]
            except (
                ActivityError,
                ChildWorkflowError,
                ApplicationError,
                asyncio.CancelledError,
            ) as one_host_failure:
                if is_cancelled_exception(one_host_failure):
                    # cancelled: undo the completed steps, then let the cancellation go on
                    await self._undo_all(
                        "one_host: Patch one host", one_host_compensations, one_host_failure
                    )
                    raise
                one_host_error = self._failure_message(one_host_failure)
                await self._undo_all(
                    "one_host: Patch one host", one_host_compensations, one_host_failure
                )
            if one_host_error is not None:
                self._state.failed = self._state.failed + [each_host_item + ": " + one_host_error]
        smoke_all_slots = asyncio.Semaphore(4)

        async def smoke_all_body(smoke_all_item: str) -> None:
            async with smoke_all_slots:
                passed = await workflow.execute_activity(
                    smoke_test,
                    SmokeTestInput(host=smoke_all_item),
                    start_to_close_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                )
                if not passed:
                    self._state.failed = self._state.failed + [
                        smoke_all_item + ": smoke test failed"
                    ]

        smoke_all_tasks = [
            asyncio.create_task(smoke_all_body(smoke_all_item)) for smoke_all_item in hosts
        ]
        try:
            await asyncio.gather(*smoke_all_tasks)
        finally:
            for task in smoke_all_tasks:
                task.cancel()
        health_attempt = 0
        health_delay = 5.0
        health_exhausted = False
        while True:
            health_attempt += 1
            try:
                healthy = await workflow.execute_activity(
                    check_health,
                    CheckHealthInput(region=self._input.region),
                    start_to_close_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                )
            except (ActivityError, ChildWorkflowError, ApplicationError) as health_error:
                if self._non_retryable(health_error):
                    raise
                if health_attempt >= 8:
                    health_exhausted = True
                    break
                workflow.logger.warning(
                    "%s: attempt %d failed: %s",
                    "health: Wait for health",
                    health_attempt,
                    health_error,
                )
            else:
                if healthy:
                    break
                if health_attempt >= 8:
                    health_exhausted = True
                    break
            await workflow.sleep(
                min(health_delay * (1 + 0.2 * workflow.random().random()), 60.0),
                summary=f"health: backoff after attempt {health_attempt}",
            )
            health_delay = health_delay * 2.0
            health_delay = min(health_delay, 60.0)
        if health_exhausted:
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
                    text=f"{len(self._state.failed)} hosts in "
                    f"{self._input.region} failed: {self._state.failed}"
                ),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
            )
        if workflow.info().is_continue_as_new_suggested():
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(
                dataclasses.replace(self._input, resume_state=self._state),
                # the next run starts on the task queue's current version (then stays pinned to it)
                initial_versioning_behavior=workflow.ContinueAsNewVersioningBehavior.AUTO_UPGRADE,
            )
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
    def _completed(step: asyncio.Future[Any]) -> bool:
        """Whether a step finished with a result, even one that came in the same workflow task
        as this workflow's cancellation (the await then raises, the step is still done)."""
        return step.done() and not step.cancelled() and step.exception() is None

    @staticmethod
    def _failure_message(failure: BaseException) -> str:
        """The message at the root of a failure chain (child -> activity -> application error)."""
        while isinstance(failure, FailureError) and failure.cause is not None:
            failure = failure.cause
        return failure.message if isinstance(failure, FailureError) else str(failure)

    async def _undo_all(
        self, label: str, compensations: list[Callable[[], Awaitable[Any]]], cause: BaseException
    ) -> None:
        """Runs every undo step, newest first, even when one of them fails; then reports each
        failure, chained to the failure or cancellation that made the Try undo."""
        reason = "cancelled" if is_cancelled_exception(cause) else "failed"
        workflow.logger.warning(
            "%s %s: %s; undoing %d completed steps",
            label,
            reason,
            self._failure_message(cause),
            len(compensations),
        )
        failures: list[str] = []
        for compensate in reversed(compensations):
            try:
                await compensate()
            except (ActivityError, ChildWorkflowError, ApplicationError) as failure:
                failures.append(self._failure_message(failure))
        if failures:
            raise ApplicationError(
                f"{label}: {len(failures)} of {len(compensations)} undo steps failed: "
                + "; ".join(failures),
                type="CompensationFailed",
                non_retryable=True,
            ) from cause

    @staticmethod
    def _non_retryable(failure: BaseException | None) -> bool:
        """Whether a failure must not be tried again: a non-retryable application error anywhere
        in its chain, or an activity or child its own retry policy stopped as non-retryable."""
        while failure is not None:
            if isinstance(failure, ApplicationError) and failure.non_retryable:
                return True
            if isinstance(failure, (ActivityError, ChildWorkflowError)) and (
                failure.retry_state == RetryState.NON_RETRYABLE_FAILURE
            ):
                return True
            failure = failure.cause if isinstance(failure, FailureError) else None
        return False

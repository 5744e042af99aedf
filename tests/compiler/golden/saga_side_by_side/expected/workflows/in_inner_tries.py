"""Workflow in-inner-tries (in-inner-tries), generated from its graph."""

import asyncio
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
    is_cancelled_exception,
)

with workflow.unsafe.imports_passed_through():
    from saga_side_by_side.activities import book, cancel
    from saga_side_by_side.models import BookInput, CancelInput, InInnerTriesInput


@workflow.defn(name="in-inner-tries")
class InInnerTriesWorkflow:
    """in-inner-tries"""

    @workflow.run
    async def run(self, input: InInnerTriesInput | None = None) -> str:
        """in-inner-tries"""
        self._input = input if input is not None else InInnerTriesInput()
        saga_compensations: list[Callable[[], Awaitable[Any]]] = []
        try:
            each_slots = asyncio.Semaphore(2)

            async def each_body(each_item: str) -> None:
                async with each_slots:
                    inner_compensations: list[Callable[[], Awaitable[Any]]] = []
                    try:
                        book_one_handle = workflow.start_activity(
                            book,
                            BookInput(what=each_item),
                            start_to_close_timeout=timedelta(minutes=1),
                            retry_policy=RetryPolicy(maximum_attempts=10),
                        )
                        try:
                            await asyncio.shield(book_one_handle)
                        finally:
                            # finishes even if a failure beside it cancels this task,
                            # so that the Try knows what to undo
                            book_one_token = await book_one_handle
                            inner_compensations.append(
                                functools.partial(
                                    workflow.execute_activity,
                                    cancel,
                                    CancelInput(token=book_one_token),
                                    start_to_close_timeout=timedelta(minutes=1),
                                    retry_policy=RetryPolicy(maximum_attempts=10),
                                )
                            )
                    except (
                        ActivityError,
                        ChildWorkflowError,
                        ApplicationError,
                        asyncio.CancelledError,
                    ) as inner_failure:
                        if is_cancelled_exception(inner_failure):
                            # cancelled: the enclosing Try undoes these with its own
                            saga_compensations.extend(inner_compensations)
                            raise
                        await self._undo_all("inner: Book one", inner_compensations, inner_failure)
                        raise
                    else:
                        saga_compensations.extend(inner_compensations)

            each_tasks = [
                asyncio.create_task(each_body(each_item)) for each_item in ["slow", "bad"]
            ]
            try:
                await asyncio.gather(*each_tasks)
            finally:
                for task in each_tasks:
                    task.cancel()
                # a cancelled step with an undo still finishes: wait for its undo
                await asyncio.gather(*each_tasks, return_exceptions=True)
        except (
            ActivityError,
            ChildWorkflowError,
            ApplicationError,
            asyncio.CancelledError,
        ) as saga_failure:
            if is_cancelled_exception(saga_failure):
                # cancelled: undo the completed steps, then let the cancellation go on
                await self._undo_all("saga: Book all", saga_compensations, saga_failure)
                raise
            saga_error = self._failure_message(saga_failure)
            await self._undo_all("saga: Book all", saga_compensations, saga_failure)
        else:
            return "booked"
        return "rolled back: " + saga_error

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

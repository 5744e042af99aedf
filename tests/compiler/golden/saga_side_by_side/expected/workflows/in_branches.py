"""Workflow in-branches (in-branches), generated from its graph."""

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
    from saga_side_by_side.models import BookInput, CancelInput, InBranchesInput


@workflow.defn(name="in-branches")
class InBranchesWorkflow:
    """in-branches"""

    @workflow.run
    async def run(self, input: InBranchesInput | None = None) -> str:
        """in-branches"""
        self._input = input if input is not None else InBranchesInput()
        saga_compensations: list[Callable[[], Awaitable[Any]]] = []
        try:

            async def fan_book_slow() -> None:
                book_slow_handle = workflow.start_activity(
                    book,
                    BookInput(what="slow"),
                    start_to_close_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                    summary="book_slow: book_slow",
                )
                try:
                    await asyncio.shield(book_slow_handle)
                finally:
                    # finishes even if a failure beside it cancels this task,
                    # so that the Try knows what to undo
                    book_slow_token = await book_slow_handle
                    saga_compensations.append(
                        functools.partial(
                            workflow.execute_activity,
                            cancel,
                            CancelInput(token=book_slow_token),
                            start_to_close_timeout=timedelta(minutes=1),
                            retry_policy=RetryPolicy(maximum_attempts=10),
                            summary="book_slow: undo book_slow",
                        )
                    )

            async def fan_book_bad() -> None:
                book_bad_handle = workflow.start_activity(
                    book,
                    BookInput(what="bad"),
                    start_to_close_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                    summary="book_bad: book_bad",
                )
                try:
                    await asyncio.shield(book_bad_handle)
                finally:
                    # finishes even if a failure beside it cancels this task,
                    # so that the Try knows what to undo
                    book_bad_token = await book_bad_handle
                    saga_compensations.append(
                        functools.partial(
                            workflow.execute_activity,
                            cancel,
                            CancelInput(token=book_bad_token),
                            start_to_close_timeout=timedelta(minutes=1),
                            retry_policy=RetryPolicy(maximum_attempts=10),
                            summary="book_bad: undo book_bad",
                        )
                    )

            fan_tasks = [
                asyncio.create_task(fan_book_slow()),
                asyncio.create_task(fan_book_bad()),
            ]
            try:
                await asyncio.gather(*fan_tasks)
            finally:
                for task in fan_tasks:
                    task.cancel()
                # a cancelled step with an undo still finishes: wait for its undo
                await asyncio.gather(*fan_tasks, return_exceptions=True)
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

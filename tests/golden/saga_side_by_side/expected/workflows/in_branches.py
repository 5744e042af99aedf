"""Workflow in-branches (in-branches), generated from its graph."""

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError, FailureError

with workflow.unsafe.imports_passed_through():
    from saga_side_by_side.activities import book, cancel
    from saga_side_by_side.models import BookInput, CancelInput, InBranchesInput, InBranchesState


@workflow.defn(name="in-branches")
class InBranchesWorkflow:
    """in-branches"""

    @workflow.run
    async def run(self, input: InBranchesInput) -> str:
        """in-branches"""
        self._input = input
        self._state = InBranchesState()
        compensations: list[Callable[[], Awaitable[Any]]] = []
        try:

            async def book_slow() -> None:
                book_slow_handle = workflow.start_activity(
                    book,
                    BookInput(what="slow"),
                    start_to_close_timeout=timedelta(minutes=1),
                    summary="book_slow: book_slow",
                )
                try:
                    await asyncio.shield(book_slow_handle)
                finally:
                    # finishes even if a failure beside it cancels this task,
                    # so that the Try knows what to undo
                    book_slow_token = await book_slow_handle
                    compensations.append(
                        functools.partial(
                            workflow.execute_activity,
                            cancel,
                            CancelInput(token=book_slow_token),
                            start_to_close_timeout=timedelta(minutes=1),
                            summary="book_slow: undo book_slow",
                        )
                    )

            async def book_bad() -> None:
                book_bad_handle = workflow.start_activity(
                    book,
                    BookInput(what="bad"),
                    start_to_close_timeout=timedelta(minutes=1),
                    summary="book_bad: book_bad",
                )
                try:
                    await asyncio.shield(book_bad_handle)
                finally:
                    # finishes even if a failure beside it cancels this task,
                    # so that the Try knows what to undo
                    book_bad_token = await book_bad_handle
                    compensations.append(
                        functools.partial(
                            workflow.execute_activity,
                            cancel,
                            CancelInput(token=book_bad_token),
                            start_to_close_timeout=timedelta(minutes=1),
                            summary="book_bad: undo book_bad",
                        )
                    )

            fan_tasks = [
                asyncio.create_task(book_slow()),
                asyncio.create_task(book_bad()),
            ]
            try:
                await asyncio.gather(*fan_tasks)
            finally:
                for task in fan_tasks:
                    task.cancel()
                # a cancelled step with an undo still finishes: wait for its undo
                await asyncio.gather(*fan_tasks, return_exceptions=True)
        except (ActivityError, ChildWorkflowError, ApplicationError) as failure:
            error = self._failure_message(failure)
            workflow.logger.warning(
                "%s failed: %s; undoing %d completed steps",
                "saga: Book all",
                error,
                len(compensations),
            )
            for compensate in reversed(compensations):
                await compensate()
        except asyncio.CancelledError:
            # cancelled: undo the completed steps, then let the cancellation go on
            workflow.logger.warning(
                "%s cancelled; undoing %d completed steps", "saga: Book all", len(compensations)
            )
            for compensate in reversed(compensations):
                await compensate()
            raise
        else:
            return "booked"
        return "rolled back: " + error

    @staticmethod
    def _failure_message(failure: BaseException) -> str:
        """The message at the root of a failure chain (child -> activity -> application error)."""
        while isinstance(failure, FailureError) and failure.cause is not None:
            failure = failure.cause
        return failure.message if isinstance(failure, FailureError) else str(failure)

"""Workflow in-loop (in-loop), generated from its graph."""

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError, FailureError

with workflow.unsafe.imports_passed_through():
    from saga_side_by_side.activities import book, cancel
    from saga_side_by_side.models import BookInput, CancelInput, InLoopInput, InLoopState


@workflow.defn(name="in-loop")
class InLoopWorkflow:
    """in-loop"""

    @workflow.run
    async def run(self, input: InLoopInput) -> str:
        """in-loop"""
        self._input = input
        self._state = InLoopState()
        compensations: list[Callable[[], Awaitable[Any]]] = []
        try:
            slots = asyncio.Semaphore(2)

            async def each_each(item: Any, index: int) -> None:
                async with slots:
                    book_item_handle = workflow.start_activity(
                        book,
                        BookInput(what=item),
                        start_to_close_timeout=timedelta(minutes=1),
                    )
                    try:
                        await asyncio.shield(book_item_handle)
                    finally:
                        # finishes even if a failure beside it cancels this task,
                        # so that the Try knows what to undo
                        book_item_token = await book_item_handle
                        compensations.append(
                            functools.partial(
                                workflow.execute_activity,
                                cancel,
                                CancelInput(token=book_item_token),
                                start_to_close_timeout=timedelta(minutes=1),
                            )
                        )

            each_tasks = [
                asyncio.create_task(each_each(item, index))
                for index, item in enumerate(["slow", "bad"])
            ]
            try:
                await asyncio.gather(*each_tasks)
            finally:
                for task in each_tasks:
                    task.cancel()
                # a cancelled step with an undo still finishes: wait for its undo
                await asyncio.gather(*each_tasks, return_exceptions=True)
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

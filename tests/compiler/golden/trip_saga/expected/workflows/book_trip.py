"""Workflow Book a trip (book-trip), generated from its graph."""

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
    from trip_saga.activities import (
        book_car,
        book_flight,
        book_hotel,
        undo_car,
        undo_flight,
        undo_hotel,
    )
    from trip_saga.models import (
        BookCarInput,
        BookFlightInput,
        BookHotelInput,
        BookTripInput,
        UndoCarInput,
        UndoFlightInput,
        UndoHotelInput,
    )


@workflow.defn(name="book-trip")
class BookTripWorkflow:
    """Books a car, a hotel and a flight, or none of them."""

    @workflow.run
    async def run(self, input: BookTripInput) -> str:
        """Books a car, a hotel and a flight, or none of them."""
        self._input = input
        trip_compensations: list[Callable[[], Awaitable[Any]]] = []
        try:
            # registered first: undone even if the outcome stays unknown (a timeout after it acted)
            trip_compensations.append(
                functools.partial(
                    workflow.execute_activity,
                    undo_car,
                    UndoCarInput(traveller=self._input.traveller),
                    start_to_close_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                )
            )
            car = await workflow.execute_activity(
                book_car,
                BookCarInput(traveller=self._input.traveller),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
            )
            # registered first: undone even if the outcome stays unknown (a timeout after it acted)
            trip_compensations.append(
                functools.partial(
                    workflow.execute_activity,
                    undo_hotel,
                    UndoHotelInput(traveller=self._input.traveller),
                    start_to_close_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                )
            )
            hotel = await workflow.execute_activity(
                book_hotel,
                BookHotelInput(traveller=self._input.traveller),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
            )
            # registered first: undone even if the outcome stays unknown (a timeout after it acted)
            trip_compensations.append(
                functools.partial(
                    workflow.execute_activity,
                    undo_flight,
                    UndoFlightInput(traveller=self._input.traveller),
                    start_to_close_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                )
            )
            flight = await workflow.execute_activity(
                book_flight,
                BookFlightInput(traveller=self._input.traveller, sold_out=self._input.sold_out),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
            )
        except (
            ActivityError,
            ChildWorkflowError,
            ApplicationError,
            asyncio.CancelledError,
        ) as trip_failure:
            if is_cancelled_exception(trip_failure):
                # cancelled: undo the completed steps, then let the cancellation go on
                await self._undo_all("trip: Trip", trip_compensations, trip_failure)
                raise
            trip_error = self._failure_message(trip_failure)
            await self._undo_all("trip: Trip", trip_compensations, trip_failure)
        else:
            return ", ".join([car, hotel, flight])
        return "trip cancelled: " + trip_error

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

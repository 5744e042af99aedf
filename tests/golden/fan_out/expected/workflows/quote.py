"""Workflow Quote (quote), generated from its graph."""

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from price_quotes.activities import check_stock, fetch_price, warm_cache
    from price_quotes.models import (
        CheckStockInput,
        FetchPriceInput,
        QuoteInput,
        QuoteState,
        WarmCacheInput,
    )


@workflow.defn(name="quote")
class QuoteWorkflow:
    """Collects prices and stock for one item."""

    @workflow.init
    def __init__(self, input: QuoteInput) -> None:
        self._input = input
        self._state = QuoteState()

    @workflow.run
    async def run(self, input: QuoteInput) -> float:
        """Collects prices and stock for one item."""

        async def branch_1_2() -> None:
            alpha_price = await workflow.execute_activity(
                fetch_price,
                FetchPriceInput(supplier="alpha", item=self._input.item),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=2),
                summary="alpha: Alpha price",
            )
            self._state.prices = self._state.prices + [alpha_price]

        async def branch_2_2() -> None:
            beta_price = await workflow.execute_activity(
                fetch_price,
                FetchPriceInput(supplier="beta", item=self._input.item),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=2),
                summary="beta: Beta price",
            )
            self._state.prices = self._state.prices + [beta_price]

        async def branch_3() -> None:
            async def branch_1() -> None:
                await workflow.execute_activity(
                    warm_cache,
                    WarmCacheInput(item=self._input.item),
                    start_to_close_timeout=timedelta(minutes=1),
                    summary="warm: Warm cache",
                )

            async def branch_2() -> None:
                await workflow.sleep(timedelta(seconds=0.25), summary="pause: Courtesy pause")

            branches = [
                asyncio.create_task(branch_1()),
                asyncio.create_task(branch_2()),
            ]
            try:
                await asyncio.gather(*branches)
            finally:
                for task in branches:
                    task.cancel()

        branches_2 = [
            asyncio.create_task(branch_1_2()),
            asyncio.create_task(branch_2_2()),
            asyncio.create_task(branch_3()),
        ]
        try:
            await asyncio.gather(*branches_2)
        finally:
            for task in branches_2:
                task.cancel()

        async def branch_1_3() -> None:
            north_has = await workflow.execute_activity(
                check_stock,
                CheckStockInput(warehouse="north", item=self._input.item),
                start_to_close_timeout=timedelta(minutes=1),
                summary="north: North warehouse",
            )
            self._state.in_stock = north_has

        async def branch_2_3() -> None:
            south_has = await workflow.execute_activity(
                check_stock,
                CheckStockInput(warehouse="south", item=self._input.item),
                start_to_close_timeout=timedelta(minutes=1),
                summary="south: South warehouse",
            )
            self._state.in_stock = south_has

        branches_3 = [
            asyncio.create_task(branch_1_3()),
            asyncio.create_task(branch_2_3()),
        ]
        pending = list(branches_3)
        try:
            while pending:
                await workflow.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                finished = [task for task in pending if task.done() and not task.cancelled()]
                if any(task.exception() is None for task in finished):
                    break
                pending = [task for task in pending if not task.done()]
        finally:
            for task in branches_3:
                task.cancel()
        if not pending:
            branches_3[-1].result()

        async def branch_1_4() -> None:
            gamma_price = await workflow.execute_activity(
                fetch_price,
                FetchPriceInput(supplier="gamma", item=self._input.item),
                start_to_close_timeout=timedelta(seconds=5),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=2),
                summary="gamma: Gamma price",
            )
            self._state.fastest = gamma_price

        async def branch_2_4() -> None:
            await workflow.sleep(timedelta(seconds=3), summary="deadline: Deadline")
            self._state.timed_out = True

        branches_4 = [
            asyncio.create_task(branch_1_4()),
            asyncio.create_task(branch_2_4()),
        ]
        try:
            await workflow.wait(branches_4, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in branches_4:
                task.cancel()
        next(task for task in branches_4 if task.done() and not task.cancelled()).result()
        if self._state.in_stock and len(self._state.prices) > 0:
            return min(
                self._state.prices
                + ([self._state.fastest] if self._state.fastest is not None else [])
            )
        raise ApplicationError(
            f"{self._input.item} is out of stock everywhere", type="Unavailable", non_retryable=True
        )

    @workflow.query(name="prices")
    def prices(self) -> list[float]:
        """Query prices (node prices)."""
        return sorted(self._state.prices)

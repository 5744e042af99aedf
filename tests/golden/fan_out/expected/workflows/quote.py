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

        async def alpha_price_2() -> None:
            alpha_price = await workflow.execute_activity(
                fetch_price,
                FetchPriceInput(supplier="alpha", item=self._input.item),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=2),
                summary="alpha: Alpha price",
            )
            self._state.prices = self._state.prices + [alpha_price]

        async def beta_price_2() -> None:
            beta_price = await workflow.execute_activity(
                fetch_price,
                FetchPriceInput(supplier="beta", item=self._input.item),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=2),
                summary="beta: Beta price",
            )
            self._state.prices = self._state.prices + [beta_price]

        async def side_tasks() -> None:
            async def warm_cache_2() -> None:
                await workflow.execute_activity(
                    warm_cache,
                    WarmCacheInput(item=self._input.item),
                    start_to_close_timeout=timedelta(minutes=1),
                )

            async def courtesy_pause() -> None:
                await workflow.sleep(timedelta(seconds=0.25), summary="pause: Courtesy pause")

            side_tasks_tasks = [
                asyncio.create_task(warm_cache_2()),
                asyncio.create_task(courtesy_pause()),
            ]
            try:
                await asyncio.gather(*side_tasks_tasks)
            finally:
                for task in side_tasks_tasks:
                    task.cancel()

        every_supplier_tasks = [
            asyncio.create_task(alpha_price_2()),
            asyncio.create_task(beta_price_2()),
            asyncio.create_task(side_tasks()),
        ]
        try:
            await asyncio.gather(*every_supplier_tasks)
        finally:
            for task in every_supplier_tasks:
                task.cancel()

        async def north_warehouse() -> None:
            north_has = await workflow.execute_activity(
                check_stock,
                CheckStockInput(warehouse="north", item=self._input.item),
                start_to_close_timeout=timedelta(minutes=1),
                summary="north: North warehouse",
            )
            self._state.in_stock = north_has

        async def south_warehouse() -> None:
            south_has = await workflow.execute_activity(
                check_stock,
                CheckStockInput(warehouse="south", item=self._input.item),
                start_to_close_timeout=timedelta(minutes=1),
                summary="south: South warehouse",
            )
            self._state.in_stock = south_has

        any_warehouse_tasks = [
            asyncio.create_task(north_warehouse()),
            asyncio.create_task(south_warehouse()),
        ]
        pending = list(any_warehouse_tasks)
        try:
            while pending:
                await workflow.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                finished = [task for task in pending if task.done() and not task.cancelled()]
                if any(task.exception() is None for task in finished):
                    break
                pending = [task for task in pending if not task.done()]
        finally:
            for task in any_warehouse_tasks:
                task.cancel()
        if not pending:
            any_warehouse_tasks[-1].result()

        async def gamma_price_2() -> None:
            gamma_price = await workflow.execute_activity(
                fetch_price,
                FetchPriceInput(supplier="gamma", item=self._input.item),
                start_to_close_timeout=timedelta(seconds=5),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=2),
                summary="gamma: Gamma price",
            )
            self._state.fastest = gamma_price

        async def deadline() -> None:
            await workflow.sleep(timedelta(seconds=3), summary="deadline: Deadline")
            self._state.timed_out = True

        race_the_clock_tasks = [
            asyncio.create_task(gamma_price_2()),
            asyncio.create_task(deadline()),
        ]
        try:
            await workflow.wait(race_the_clock_tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in race_the_clock_tasks:
                task.cancel()
        next(task for task in race_the_clock_tasks if task.done() and not task.cancelled()).result()
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

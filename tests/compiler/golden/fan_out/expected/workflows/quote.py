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

        async def all_suppliers_alpha() -> None:
            alpha_price = await workflow.execute_activity(
                fetch_price,
                FetchPriceInput(supplier="alpha", item=self._input.item),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(maximum_attempts=2),
                summary="alpha: Alpha price",
            )
            self._state.prices = self._state.prices + [alpha_price]

        async def all_suppliers_beta() -> None:
            beta_price = await workflow.execute_activity(
                fetch_price,
                FetchPriceInput(supplier="beta", item=self._input.item),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(maximum_attempts=2),
                summary="beta: Beta price",
            )
            self._state.prices = self._state.prices + [beta_price]

        async def all_suppliers_side_tasks() -> None:
            async def side_tasks_warm() -> None:
                await workflow.execute_activity(
                    warm_cache,
                    WarmCacheInput(item=self._input.item),
                    start_to_close_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                )

            async def side_tasks_pause() -> None:
                await workflow.sleep(timedelta(seconds=0.25), summary="pause: Courtesy pause")

            side_tasks_tasks = [
                asyncio.create_task(side_tasks_warm()),
                asyncio.create_task(side_tasks_pause()),
            ]
            try:
                await asyncio.gather(*side_tasks_tasks)
            finally:
                for task in side_tasks_tasks:
                    task.cancel()

        all_suppliers_tasks = [
            asyncio.create_task(all_suppliers_alpha()),
            asyncio.create_task(all_suppliers_beta()),
            asyncio.create_task(all_suppliers_side_tasks()),
        ]
        try:
            await asyncio.gather(*all_suppliers_tasks)
        finally:
            for task in all_suppliers_tasks:
                task.cancel()

        async def any_warehouse_north() -> None:
            north_has = await workflow.execute_activity(
                check_stock,
                CheckStockInput(warehouse="north", item=self._input.item),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
                summary="north: North warehouse",
            )
            self._state.in_stock = north_has

        async def any_warehouse_south() -> None:
            south_has = await workflow.execute_activity(
                check_stock,
                CheckStockInput(warehouse="south", item=self._input.item),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
                summary="south: South warehouse",
            )
            self._state.in_stock = south_has

        any_warehouse_tasks = [
            asyncio.create_task(any_warehouse_north()),
            asyncio.create_task(any_warehouse_south()),
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

        async def race_gamma() -> None:
            gamma_price = await workflow.execute_activity(
                fetch_price,
                FetchPriceInput(supplier="gamma", item=self._input.item),
                start_to_close_timeout=timedelta(seconds=5),
                retry_policy=RetryPolicy(maximum_attempts=2),
                summary="gamma: Gamma price",
            )
            self._state.fastest = gamma_price

        async def race_deadline() -> None:
            await workflow.sleep(timedelta(seconds=3), summary="deadline: Deadline")
            self._state.timed_out = True

        race_tasks = [
            asyncio.create_task(race_gamma()),
            asyncio.create_task(race_deadline()),
        ]
        try:
            await workflow.wait(race_tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in race_tasks:
                task.cancel()
        next(task for task in race_tasks if task.done() and not task.cancelled()).result()
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

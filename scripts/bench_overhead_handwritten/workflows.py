"""The order workflow: reserve stock, refuse a too large order, charge, ship, send a receipt."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from bench_overhead_handwritten.activities import (
        ChargeCardInput,
        FulfilOrderInput,
        Receipt,
        ReserveStockInput,
        SendReceiptInput,
        ShipOrderInput,
        charge_card,
        reserve_stock,
        send_receipt,
        ship_order,
    )


@workflow.defn
class FulfilOrderWorkflow:
    @workflow.run
    async def run(self, input: FulfilOrderInput) -> Receipt:
        reservation = await workflow.execute_activity(
            reserve_stock,
            ReserveStockInput(order_id=input.order_id, quantity=input.quantity),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=1),
                maximum_attempts=5,
                non_retryable_error_types=["OutOfStock"],
            ),
        )
        if reservation.total > 10000:
            raise ApplicationError(
                f"order {input.order_id} is too large", type="OrderTooLarge", non_retryable=True
            )
        charge_id = await workflow.execute_activity(
            charge_card,
            ChargeCardInput(order_id=input.order_id, amount=reservation.total),
            start_to_close_timeout=timedelta(minutes=1),
        )
        tracking = await workflow.execute_activity(
            ship_order,
            ShipOrderInput(order_id=input.order_id, reservation_id=reservation.reservation_id),
            start_to_close_timeout=timedelta(minutes=1),
        )
        return await workflow.execute_activity(
            send_receipt,
            SendReceiptInput(order_id=input.order_id, charge_id=charge_id, tracking=tracking),
            start_to_close_timeout=timedelta(seconds=30),
        )

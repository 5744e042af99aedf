"""Workflow Order (order), generated from its graph."""

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from orders.activities import charge_card, release_stock, reserve_stock
    from orders.models import (
        ChargeCardInput,
        OrderApproveSignal,
        OrderChangeQuantityUpdate,
        OrderInput,
        OrderRejectSignal,
        OrderState,
        ReleaseStockInput,
        ReserveStockInput,
    )


@workflow.defn(name="order")
class OrderWorkflow:
    """Reserve stock, wait for an approval, then charge or release."""

    @workflow.init
    def __init__(self, input: OrderInput) -> None:
        self._input = input
        self._state = OrderState()
        self._pending_gates: list[dict[str, str]] = []

    @workflow.run
    async def run(self, input: OrderInput) -> str:
        """Reserve stock, wait for an approval, then charge or release."""
        self._state.quantity = self._input.quantity
        reservation = await workflow.execute_activity(
            reserve_stock,
            ReserveStockInput(order_id=self._input.order_id, quantity=self._state.quantity),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=2),
                maximum_interval=timedelta(minutes=1),
                maximum_attempts=5,
                non_retryable_error_types=["OutOfStock"],
            ),
            summary="reserve: Reserve stock",
        )
        approval_decision = await self._gate(
            "approval",
            "manager approval",
            lambda: self._state.approved,
            rejected=lambda: self._state.rejected_reason is not None,
            timeout=timedelta(hours=1),
        )
        if approval_decision == "approved":
            charge_id = await workflow.execute_activity(
                charge_card,
                ChargeCardInput(
                    order_id=self._input.order_id, amount=reservation.total * self._state.quantity
                ),
                start_to_close_timeout=timedelta(minutes=2),
                heartbeat_timeout=timedelta(seconds=20),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(seconds=5),
                    backoff_coefficient=1.5,
                    maximum_attempts=3,
                ),
            )
            await workflow.wait_condition(workflow.all_handlers_finished)
            return charge_id
        await workflow.execute_activity(
            release_stock,
            ReleaseStockInput(reservation_id=reservation.reservation_id),
            start_to_close_timeout=timedelta(seconds=45),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        await workflow.wait_condition(workflow.all_handlers_finished)
        raise ApplicationError(
            f"order {self._input.order_id} was not approved: "
            f"{self._state.rejected_reason or 'no answer in time'}",
            type="OrderRejected",
            non_retryable=True,
        )

    @workflow.signal(name="approve")
    async def approve(self, payload: OrderApproveSignal) -> None:
        """Signal approve (node approve)."""
        self._state.approved = True
        self._state.history = self._state.history + ["approved by " + payload.approver]

    @workflow.signal(name="reject")
    async def reject(self, payload: OrderRejectSignal) -> None:
        """Signal reject (node reject)."""
        if self._state.approved:
            self._state.history = self._state.history + [
                "late rejection ignored: " + payload.reason
            ]
        else:
            self._state.rejected_reason = payload.reason

    @workflow.update(name="change_quantity")
    async def change_quantity(self, payload: OrderChangeQuantityUpdate) -> int:
        """Update change_quantity (node change_quantity)."""
        resized = await workflow.execute_activity(
            reserve_stock,
            ReserveStockInput(order_id=self._input.order_id, quantity=payload.quantity),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=2),
                maximum_interval=timedelta(minutes=1),
                maximum_attempts=5,
                non_retryable_error_types=["OutOfStock"],
            ),
            summary="resize: Resize reservation",
        )
        self._state.quantity = payload.quantity
        self._state.history = self._state.history + [
            f"quantity set to {payload.quantity} ({resized.reservation_id})"
        ]
        return self._state.quantity

    @change_quantity.validator
    def validate_change_quantity(self, payload: OrderChangeQuantityUpdate) -> None:
        if not (payload.quantity > 0 and (not self._state.approved)):
            raise ValueError("the quantity must be positive and the order not yet approved")

    @workflow.query(name="status")
    def status(self) -> str:
        """Query status (node status)."""
        return (
            "rejected"
            if self._state.rejected_reason
            else "approved"
            if self._state.approved
            else "pending"
        )

    @workflow.query(name="history")
    def history(self) -> list[str]:
        """Query history (node history)."""
        return self._state.history

    @workflow.query(name="pending_gates")
    def pending_gates(self) -> list[dict[str, str]]:
        """The approval gates this workflow is waiting on."""
        return list(self._pending_gates)

    async def _gate(
        self,
        node: str,
        gate: str,
        approved: Callable[[], bool],
        rejected: Callable[[], bool] | None = None,
        timeout: timedelta | None = None,
    ) -> str:
        """Waits at an approval gate, listed by pending_gates meanwhile, until it is approved or
        rejected, or its timeout passes: returns "approved", "rejected" or "timeout"."""
        entry = {"gate": gate, "node": node, "since": workflow.now().isoformat()}
        self._pending_gates.append(entry)
        try:
            await workflow.wait_condition(
                lambda: approved() or (rejected is not None and rejected()),
                timeout=timeout,
                timeout_summary=f"{node}: {gate}" if timeout is not None else None,
            )
        except TimeoutError:
            return "timeout"
        finally:
            self._pending_gates.remove(entry)
        return "approved" if approved() else "rejected"

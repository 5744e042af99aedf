"""Workflow Dispatch order (dispatch-order), generated from its graph."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from dispatch.activities import notify_owner, review_by_hand, ship
    from dispatch.models import DispatchOrderInput, NotifyOwnerInput, ReviewByHandInput, ShipInput


@workflow.defn(name="dispatch-order")
class DispatchOrderWorkflow:
    """Reviews large orders by hand, then ships each by the carrier its weight and
    priority call for.
    """

    @workflow.run
    async def run(self, input: DispatchOrderInput) -> None:
        """Reviews large orders by hand, then ships each by the carrier its weight and
        priority call for.
        """
        self._input = input
        if workflow.patched("needs_review@f09c4431"):
            needs_review_holds = self._input.amount > 500
        else:
            needs_review_holds = self._input.amount > 1000
        if needs_review_holds:
            await workflow.execute_activity(
                review_by_hand,
                ReviewByHandInput(order_id=self._input.order_id),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
            )
        if workflow.patched("carrier@f09c4431"):
            carrier_choice = (
                "express"
                if self._input.priority >= 2 and self._input.weight_kg < 10
                else "freight"
                if self._input.weight_kg > 30
                else None
            )
        else:
            carrier_choice = (
                "express"
                if self._input.priority >= 3
                else "freight"
                if self._input.weight_kg > 30
                else None
            )
        if carrier_choice == "express":
            await workflow.execute_activity(
                ship,
                ShipInput(order_id=self._input.order_id, carrier="courier"),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
                summary="express: express",
            )
        elif carrier_choice == "freight":
            await workflow.execute_activity(
                ship,
                ShipInput(order_id=self._input.order_id, carrier="truck"),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
                summary="freight: freight",
            )
        else:
            await workflow.execute_activity(
                ship,
                ShipInput(order_id=self._input.order_id, carrier="post"),
                start_to_close_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_attempts=10),
                summary="post: post",
            )
        await workflow.execute_activity(
            notify_owner,
            NotifyOwnerInput(order_id=self._input.order_id),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=5),
        )
        return

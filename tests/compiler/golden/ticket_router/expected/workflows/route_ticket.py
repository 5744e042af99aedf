"""Workflow Route ticket (route-ticket), generated from its graph."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from support_desk.activities import page_on_call
    from support_desk.models import (
        HandleTicketEscalateSignal,
        HandleTicketInput,
        Outcome,
        PageOnCallInput,
        RouteTicketInput,
        RouteTicketState,
    )


@workflow.defn(name="route-ticket")
class RouteTicketWorkflow:
    """Decides who handles a ticket."""

    @workflow.init
    def __init__(self, input: RouteTicketInput) -> None:
        self._input = input
        self._state = RouteTicketState()

    @workflow.run
    async def run(self, input: RouteTicketInput) -> str:
        """Decides who handles a ticket."""
        if self._input.category == "billing":
            billing_outcome = await workflow.execute_child_workflow(
                "handle-ticket",
                HandleTicketInput(
                    ticket_id=self._input.ticket_id, queue="billing", priority=self._input.priority
                ),
                id=f"ticket-{self._input.ticket_id}",
                result_type=Outcome,
                parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                execution_timeout=timedelta(minutes=30),
                static_summary="billing_child: Handle billing",
            )
            self._state.route = "billing:" + billing_outcome.resolution
        elif self._input.category in ["outage", "incident"]:
            if self._input.priority >= 3:
                await workflow.execute_activity(
                    page_on_call,
                    PageOnCallInput(
                        ticket_id=self._input.ticket_id,
                        message=f"P{self._input.priority}: {self._input.text[:80]}",
                    ),
                    start_to_close_timeout=timedelta(seconds=15),
                    retry_policy=RetryPolicy(
                        backoff_coefficient=3.0,
                        maximum_interval=timedelta(seconds=30),
                        maximum_attempts=10,
                    ),
                )
                await workflow.start_child_workflow(
                    "handle-ticket",
                    HandleTicketInput(
                        ticket_id=self._input.ticket_id,
                        queue="incident",
                        priority=self._input.priority,
                    ),
                    id=f"ticket-{self._input.ticket_id}",
                    parent_close_policy=ParentClosePolicy.ABANDON,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    static_summary="outage_child: Open incident",
                )
                await workflow.get_external_workflow_handle(
                    f"ticket-{self._input.ticket_id}"
                ).signal(
                    "escalate",
                    HandleTicketEscalateSignal(
                        level="sev1" if self._input.priority >= 4 else "sev2",
                        reason=self._input.text[:200],
                    ),
                )
                self._state.route = "incident:paged"
            elif self._input.priority == 2:
                p2_outcome = await workflow.execute_child_workflow(
                    "handle-ticket",
                    HandleTicketInput(
                        ticket_id=self._input.ticket_id, queue="ops", priority=self._input.priority
                    ),
                    id=workflow.info().workflow_id + "-p2_child",
                    result_type=Outcome,
                    parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                    static_summary="p2_child: Handle P2",
                )
                self._state.route = "ops:" + p2_outcome.agent
            else:
                self._state.route = "ops:backlog"
        elif self._input.category == "question" and len(self._input.text) < 500:
            self._state.route = "faq"
            await workflow.get_external_workflow_handle(
                f"audit-{self._input.ticket_id[:8]}"
            ).signal("ticket_routed", {"ticket": self._input.ticket_id, "route": self._state.route})
        else:
            raise ApplicationError(
                f"ticket {self._input.ticket_id} has an unknown category {self._input.category!r}",
                type="UnknownCategory",
                non_retryable=True,
            )
        return self._state.route

    @workflow.query(name="route")
    def route(self) -> str:
        """Query route (node route)."""
        return self._state.route

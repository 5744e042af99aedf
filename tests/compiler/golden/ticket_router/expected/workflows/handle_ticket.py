"""Workflow Handle ticket (handle-ticket), generated from its graph."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from support_desk.activities import assign_agent, close_ticket
    from support_desk.models import (
        AssignAgentInput,
        CloseTicketInput,
        HandleTicketEscalateSignal,
        HandleTicketInput,
        HandleTicketState,
        Outcome,
    )


@workflow.defn(name="handle-ticket")
class HandleTicketWorkflow:
    """Works one ticket until it is resolved; can be escalated while it runs."""

    @workflow.init
    def __init__(self, input: HandleTicketInput) -> None:
        self._input = input
        self._state = HandleTicketState()

    @workflow.run
    async def run(self, input: HandleTicketInput) -> Outcome:
        """Works one ticket until it is resolved; can be escalated while it runs."""
        agent = await workflow.execute_activity(
            assign_agent,
            AssignAgentInput(queue=self._input.queue, priority=self._input.priority),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        await workflow.sleep(timedelta(minutes=2), summary="work: Work the ticket")
        outcome = await workflow.execute_activity(
            close_ticket,
            CloseTicketInput(
                ticket_id=self._input.ticket_id, agent=agent, escalations=self._state.escalations
            ),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        return outcome

    @workflow.signal(name="escalate")
    async def escalate(self, payload: HandleTicketEscalateSignal) -> None:
        """Signal escalate (node escalate)."""
        self._state.escalations = self._state.escalations + 1
        self._state.level = payload.level
        self._state.reasons = self._state.reasons + [payload.reason]

    @workflow.query(name="level")
    def level(self) -> str:
        """Query level (node level)."""
        return self._state.level

"""Workflow Poll periodically (poll-periodically), generated from its graph."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    FailureError,
    RetryState,
)

with workflow.unsafe.imports_passed_through():
    from status_polling.activities import read_status
    from status_polling.models import PollPeriodicallyInput, ReadStatusInput


@workflow.defn(name="poll-periodically")
class PollPeriodicallyWorkflow:
    """Periodic polling: read the status, wait, read again, until it says ready or
    the attempts run out.
    """

    @workflow.run
    async def run(self, input: PollPeriodicallyInput) -> str:
        """Periodic polling: read the status, wait, read again, until it says ready or
        the attempts run out.
        """
        self._input = input
        poll_attempt = 0
        poll_delay = 0.1
        poll_exhausted = False
        while True:
            poll_attempt += 1
            try:
                status = await workflow.execute_activity(
                    read_status,
                    ReadStatusInput(
                        job=self._input.job,
                        phase="ready" if poll_attempt >= self._input.ready_at else "pending",
                    ),
                    start_to_close_timeout=timedelta(minutes=1),
                    retry_policy=RetryPolicy(maximum_attempts=10),
                )
            except (ActivityError, ChildWorkflowError, ApplicationError) as poll_error:
                if self._non_retryable(poll_error):
                    raise
                if poll_attempt >= 5:
                    poll_exhausted = True
                    break
                workflow.logger.warning(
                    "%s: attempt %d failed: %s", "poll: Poll until ready", poll_attempt, poll_error
                )
            else:
                if status == "ready":
                    break
                if poll_attempt >= 5:
                    poll_exhausted = True
                    break
            await workflow.sleep(poll_delay, summary=f"poll: backoff after attempt {poll_attempt}")
        if poll_exhausted:
            raise ApplicationError(
                f"{self._input.job} was not ready after 5 reads",
                type="NeverReady",
                non_retryable=True,
            )
        return self._input.job + " is " + status

    @staticmethod
    def _non_retryable(failure: BaseException | None) -> bool:
        """Whether a failure must not be tried again: a non-retryable application error anywhere
        in its chain, or an activity or child its own retry policy stopped as non-retryable."""
        while failure is not None:
            if isinstance(failure, ApplicationError) and failure.non_retryable:
                return True
            if isinstance(failure, (ActivityError, ChildWorkflowError)) and (
                failure.retry_state == RetryState.NON_RETRYABLE_FAILURE
            ):
                return True
            failure = failure.cause if isinstance(failure, FailureError) else None
        return False

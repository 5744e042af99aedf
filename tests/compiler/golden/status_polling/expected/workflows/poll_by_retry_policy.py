"""Workflow Poll by retry policy (poll-by-retry-policy), generated from its
graph.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from status_polling.activities import check_ready
    from status_polling.models import CheckReadyInput, PollByRetryPolicyInput


@workflow.defn(name="poll-by-retry-policy")
class PollByRetryPolicyWorkflow:
    """Infrequent polling: the activity fails while the job is not ready, and its
    retry policy asks again, at no cost to the workflow's history.
    """

    @workflow.run
    async def run(self, input: PollByRetryPolicyInput) -> str:
        """Infrequent polling: the activity fails while the job is not ready, and its
        retry policy asks again, at no cost to the workflow's history.
        """
        self._input = input
        answer = await workflow.execute_activity(
            check_ready,
            CheckReadyInput(job=self._input.job),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=0.1),
                backoff_coefficient=1.0,
                maximum_attempts=100,
            ),
        )
        return answer

"""Dispatch: Temporal workflows generated from their graphs."""

from temporalio import activity

TASK_QUEUE = "dispatch"


def idempotency_key() -> str:
    """A key for the activity call running now: the same on each of its retries, different
    for every other call (another step, another iteration, the next run after continue-as-new).
    Give it to a service that drops repeated requests with the same key."""
    info = activity.info()
    return f"{info.workflow_run_id}-{info.activity_id}"

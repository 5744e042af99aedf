"""Daily digest: Temporal workflows generated from their graphs."""

TASK_QUEUE = "daily-digest"

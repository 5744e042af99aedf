"""saga-side-by-side: Temporal workflows generated from their graphs."""

TASK_QUEUE = "saga-side-by-side"

"""Orders: Temporal workflows generated from their graphs."""

TASK_QUEUE = "orders"

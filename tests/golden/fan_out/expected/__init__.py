"""Price quotes: Temporal workflows generated from their graphs."""

TASK_QUEUE = "price-quotes"

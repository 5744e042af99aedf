"""Fleet patching: Temporal workflows generated from their graphs."""

TASK_QUEUE = "fleet-patching"

"""Support desk: Temporal workflows generated from their graphs."""

TASK_QUEUE = "support-desk"

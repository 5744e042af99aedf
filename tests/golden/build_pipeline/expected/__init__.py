"""Package builds: Temporal workflows generated from their graphs."""

TASK_QUEUE = "package-builds"

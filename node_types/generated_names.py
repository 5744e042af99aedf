"""Names the generated code itself uses, which user-chosen names must never shadow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from language.names import RESERVED

if TYPE_CHECKING:
    from node_types.project_info import ProjectInfo

STDLIB_IMPORTS = {
    "asyncio": "import asyncio",
    "Awaitable": "from collections.abc import Awaitable",
    "Callable": "from collections.abc import Callable",
    "timedelta": "from datetime import timedelta",
    "datetime": "from datetime import datetime",
    "UTC": "from datetime import UTC",
    "Any": "from typing import Any",
    "Literal": "from typing import Literal",
    "dataclasses": "import dataclasses",
    "contextlib": "import contextlib",
    "functools": "import functools",
}
TEMPORAL_IMPORTS = {
    "workflow": "from temporalio import workflow",
    "RetryPolicy": "from temporalio.common import RetryPolicy",
    "WorkflowIDReusePolicy": "from temporalio.common import WorkflowIDReusePolicy",
    "ParentClosePolicy": "from temporalio.workflow import ParentClosePolicy",
    "ApplicationError": "from temporalio.exceptions import ApplicationError",
    "ActivityError": "from temporalio.exceptions import ActivityError",
    "ChildWorkflowError": "from temporalio.exceptions import ChildWorkflowError",
    "FailureError": "from temporalio.exceptions import FailureError",
    "RetryState": "from temporalio.exceptions import RetryState",
    "is_cancelled_exception": "from temporalio.exceptions import is_cancelled_exception",
    "WorkflowAlreadyStartedError": "from temporalio.exceptions import WorkflowAlreadyStartedError",
}

EXPRESSION_NAMES = frozenset(
    {
        "input",
        "state",
        "payload",
        "item",
        "index",
        "attempt",
        "iteration",
        "error",
        "result",
        "now",
        "workflow_id",
        "history_length",
        "continue_as_new_suggested",
        "run_id",
        "parent_id",
        "workflow_attempt",
    }
)
"""Names expressions give a meaning of their own; a step's result cannot take one."""


MODULE_NAMES = frozenset(
    {
        "activity",
        "os",
        "re",
        "json",
        "urllib",
        "httpx",
        "dataclasses",
        "asyncio",
        "signal",
        "AsyncIterator",
        "idempotency_key",
        "value_to_type",
        "Callable",
        "Any",
        "ApplicationError",
        "WorkflowFailureError",
        "await_workflow",
        "ACTIVITIES",
        "TASK_QUEUE",
        # float('nan') and float('inf') print as these; keep them unmistakable in the output
        "nan",
        "inf",
        "infinity",
    }
)
"""Module-level names of the generated activities and package modules."""


def reserved_module_names() -> set[str]:
    """Names a generated module-level function (an activity) must not take."""
    return set(RESERVED) | set(STDLIB_IMPORTS) | set(TEMPORAL_IMPORTS) | set(MODULE_NAMES)


def reserved_code_names(project: ProjectInfo) -> set[str]:
    """Identifiers a generated local must not take in a workflow module."""
    names = set(RESERVED) | {"self"} | set(STDLIB_IMPORTS) | set(TEMPORAL_IMPORTS)
    names |= {activity.function for activity in project.activities.values()}
    names |= set(project.model_classes_list())
    return names

"""A team's own step code for the runtime tests: it fails retryably when told to.

A `python` activity binds to `tests.support.flaky_steps:try_once`; its failure is an ordinary
(retryable) application error, so only the activity's own retry policy, or a retry container
around it, tries it again.
"""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError


async def try_once(input: Any) -> int:
    """Returns the attempt it was given, or fails with "attempt N failed" when `should_fail`."""
    if input.should_fail:
        raise ApplicationError(f"attempt {input.attempt} failed", type="StepFailed")
    result: int = input.attempt
    return result

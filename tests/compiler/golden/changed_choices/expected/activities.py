"""Activities of the Dispatch project, bound to their implementations."""

import asyncio
import contextlib
import dataclasses
import os
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from dispatch import idempotency_key
from dispatch.models import NotifyOwnerInput, ReviewByHandInput, ShipInput


def _fill(template: Any, values: dict[str, Any]) -> Any:
    """Fills `{name}` placeholders from `values`; a lone placeholder keeps the value's type."""
    if isinstance(template, str):
        whole = re.fullmatch(r"\{(\w+)\}", template)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]

        def substitute(match: re.Match[str]) -> str:
            return str(values[match.group(1)]) if match.group(1) in values else match.group(0)

        return re.sub(r"\{(\w+)\}", substitute, template)
    if isinstance(template, list):
        return [_fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: _fill(item, values) for key, item in template.items()}
    return template


def _values(input: Any) -> dict[str, Any]:
    """What placeholders read: the input's fields, and `idempotency_key` unless one is named so."""
    return {"idempotency_key": idempotency_key(), **dataclasses.asdict(input)}


@contextlib.asynccontextmanager
async def _heartbeating() -> AsyncIterator[None]:
    """Heartbeats while the work inside runs, every third of the call's heartbeat timeout
    (when it has one): Temporal then knows the worker is alive and can deliver a cancellation."""
    timeout = activity.info().heartbeat_timeout
    if not timeout:
        yield
        return
    interval = timeout.total_seconds() / 3

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(interval)

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        beating.cancel()
        await asyncio.wait([beating])


async def _simulate(
    input: Any,
    *,
    result: Any,
    delay_seconds: float,
    fail_attempts: int,
    fail_when: dict[str, Any],
    fail_message: str,
    fail_when_retryable: bool = False,
) -> Any:
    """A deterministic stand-in chosen in the designer: a result, a delay, chosen failures."""
    values = _values(input)
    if fail_when and all(values.get(key) == value for key, value in fail_when.items()):
        raise ApplicationError(
            _fill(fail_message, values),
            type="SimulatedFailure",
            non_retryable=not fail_when_retryable,
        )
    scale = float(os.environ.get("WFD_SIMULATE_TIME_SCALE", "1"))
    if delay_seconds * scale > 0:
        async with _heartbeating():
            await asyncio.sleep(delay_seconds * scale)
    attempt = activity.info().attempt
    if attempt <= fail_attempts:
        raise ApplicationError(
            f"{_fill(fail_message, values)} (attempt {attempt})", type="SimulatedFailure"
        )
    return _fill(result, values)


@activity.defn(name="notify_owner")
async def notify_owner(input: NotifyOwnerInput) -> None:
    """Tells the order's owner it is on its way."""
    await _simulate(
        input,
        result=None,
        delay_seconds=0.0,
        fail_attempts=0,
        fail_when={},
        fail_message="simulated failure",
    )


@activity.defn(name="review_by_hand")
async def review_by_hand(input: ReviewByHandInput) -> None:
    """Holds the order for a person to look at."""
    await _simulate(
        input,
        result=None,
        delay_seconds=0.0,
        fail_attempts=0,
        fail_when={},
        fail_message="simulated failure",
    )


@activity.defn(name="ship")
async def ship(input: ShipInput) -> None:
    """Ships the order by the given carrier."""
    await _simulate(
        input,
        result=None,
        delay_seconds=0.0,
        fail_attempts=0,
        fail_when={},
        fail_message="simulated failure",
    )


ACTIVITIES: list[Callable[..., Any]] = [notify_owner, review_by_hand, ship]

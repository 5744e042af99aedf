"""Activities of the Package builds project, bound to their implementations."""

import asyncio
import contextlib
import dataclasses
import os
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from temporalio import activity
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError

from package_builds import idempotency_key
from package_builds.models import (
    Artifact,
    BuildArtifactInput,
    CheckoutInput,
    PublishInput,
    RunTestsInput,
)


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


def _convert(hint: Any, value: Any) -> Any:
    """Turns plain JSON-shaped data into the declared output type (dataclasses included)."""
    return value_to_type(hint, value)


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


@activity.defn(name="checkout")
async def checkout(input: CheckoutInput) -> str:
    """Clones the repository at a ref."""
    value = await _simulate(
        input,
        result="0123abcd",
        delay_seconds=0.0,
        fail_attempts=0,
        fail_when={},
        fail_message="simulated failure",
    )
    converted: str = _convert(str, value)
    return converted


@activity.defn(name="run_tests")
async def run_tests(input: RunTestsInput) -> int:
    """Runs one test suite; returns the number of failures."""
    value = await _simulate(
        input,
        result=0,
        delay_seconds=1.0,
        fail_attempts=0,
        fail_when={},
        fail_message="simulated failure",
    )
    converted: int = _convert(int, value)
    return converted


@activity.defn(name="build_artifact")
async def build_artifact(input: BuildArtifactInput) -> Artifact:
    """Builds the package for a target."""
    value = await _simulate(
        input,
        result={"path": "dist/{target}.tar.gz", "size_bytes": 2048, "checksum": "sha256:feed"},
        delay_seconds=0.0,
        fail_attempts=0,
        fail_when={},
        fail_message="simulated failure",
    )
    converted: Artifact = _convert(Artifact, value)
    return converted


@activity.defn(name="publish")
async def publish(input: PublishInput) -> str:
    """Uploads the artifact to a channel."""
    value = await _simulate(
        input,
        result="https://packages.example.com/{channel}/{path}",
        delay_seconds=0.0,
        fail_attempts=0,
        fail_when={},
        fail_message="simulated failure",
    )
    converted: str = _convert(str, value)
    return converted


ACTIVITIES: list[Callable[..., Any]] = [checkout, run_tests, build_artifact, publish]

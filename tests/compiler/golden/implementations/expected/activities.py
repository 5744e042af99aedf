"""Activities of the Daily digest project, bound to their implementations."""

import asyncio
import contextlib
import dataclasses
import json
import os
import re
import signal
import urllib.parse
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from digest_user_code import count_words as count_words_impl
from temporalio import activity
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError

from daily_digest import idempotency_key
from daily_digest.models import (
    ArchiveInput,
    AskModelInput,
    CountWordsInput,
    DiskReportInput,
    FetchForecastInput,
    Forecast,
    PostDigestInput,
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


def _fill_url(template: str, values: dict[str, Any]) -> str:
    """Fills a URL's placeholders with encoded values, which cannot climb its path."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            return match.group(0)
        text = str(values[match.group(1)])
        if text in (".", ".."):
            raise ApplicationError(
                f"the input's {match.group(1)} is {text!r}, which cannot fill a URL",
                type="UnsafeInput",
                non_retryable=True,
            )
        return urllib.parse.quote(text, safe="")

    return re.sub(r"\{(\w+)\}", substitute, template)


async def _http_request(
    method: str, url: str, headers: dict[str, str], body: Any, input: Any, *, json_body: bool
) -> Any:
    """Sends one request; a 4xx answer is not retried, any other failure is.

    Input values fill the URL's path and query (encoded), the headers and the body: a JSON
    body is filled as data and encoded, a text body as text."""
    values = _values(input)
    content: str | None = None
    if body is not None:
        filled = _fill(body, values)
        content = json.dumps(filled, default=str) if json_body else str(filled)
    elif method in ("POST", "PUT", "PATCH"):
        content = json.dumps(dataclasses.asdict(input), default=str)
    async with _heartbeating(), httpx.AsyncClient(timeout=30.0) as client:
        response = await client.request(
            method, _fill_url(url, values), headers=_fill(headers, values), content=content
        )
    if 400 <= response.status_code < 500:
        raise ApplicationError(
            f"{method} {response.url} answered {response.status_code}: {response.text[:500]}",
            type="HttpClientError",
            non_retryable=True,
        )
    response.raise_for_status()
    try:
        return response.json()
    except ValueError:
        return response.text


def _argument(template: str, values: dict[str, Any], options_ended: bool) -> str:
    """One argument of a command; a value from the input never turns it into an option
    (after a `--` written in the command, where options have ended, it may start with `-`)."""
    text = str(_fill(template, values))
    if text.startswith("-") and not template.startswith("-") and not options_ended:
        raise ApplicationError(
            f"the input would make the argument {text[:80]!r} an option of the command",
            type="UnsafeInput",
            non_retryable=True,
        )
    return text


async def _run_command(argv: list[str], timeout_seconds: float, input: Any) -> dict[str, Any]:
    """Runs a command without a shell; a non-zero exit status fails the attempt.

    The command and what it started are killed when the attempt ends early: timed out,
    cancelled, or cancelled by the worker shutting down."""
    values = _values(input)
    command = [_argument(part, values, "--" in argv[:index]) for index, part in enumerate(argv)]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        async with _heartbeating():
            stdout, stderr = await asyncio.wait_for(process.communicate(), timeout_seconds)
    except TimeoutError:
        raise ApplicationError(f"{command[0]} timed out after {timeout_seconds}s") from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # all of it may have ended already
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
    outcome: dict[str, Any] = {
        "exit_code": process.returncode,
        "stdout": stdout.decode(errors="replace"),
        "stderr": stderr.decode(errors="replace"),
    }
    if process.returncode != 0:
        raise ApplicationError(
            f"{command[0]} exited with {process.returncode}: {outcome['stderr'][-500:]}",
            type="CommandFailed",
        )
    return outcome


@activity.defn(name="fetch_forecast")
async def fetch_forecast(input: FetchForecastInput) -> Forecast:
    """GETs the forecast for a city."""
    value = await _http_request(
        "GET",
        "https://weather.example.com/v1/forecast/{city}?units={units}",
        {"Accept": "application/json"},
        None,
        input,
        json_body=False,
    )
    converted: Forecast = _convert(Forecast, value)
    return converted


@activity.defn(name="post_digest")
async def post_digest(input: PostDigestInput) -> None:
    """POSTs the finished digest to the team channel."""
    await _http_request(
        "POST",
        "https://chat.example.com/hooks/{channel}",
        {"Content-Type": "text/plain"},
        "{text}",
        input,
        json_body=False,
    )


@activity.defn(name="disk_report")
async def disk_report(input: DiskReportInput) -> str:
    """Reports free space on the archive volume."""
    outcome = await _run_command(["df", "-h", "{volume}"], 15.0, input)
    value = outcome["stdout"]
    converted: str = _convert(str, value)
    return converted


@activity.defn(name="archive")
async def archive(input: ArchiveInput) -> dict[str, Any]:
    """Archives the digest folder."""
    outcome = await _run_command(["tar", "-czf", "{folder}.tar.gz", "{folder}"], 120.0, input)
    value = outcome
    converted: dict[str, Any] = _convert(dict[str, Any], value)
    return converted


@activity.defn(name="count_words")
async def count_words(input: CountWordsInput) -> int:
    """Counts the words of a text with the team's own code."""
    async with _heartbeating():
        return await count_words_impl(input)


@activity.defn(name="ask_model")
async def ask_model(input: AskModelInput) -> str:
    """Asks a language model; a stand-in until the real model is wired."""
    value = await _simulate(
        input,
        result="[{model}] {prompt}",
        delay_seconds=1.5,
        fail_attempts=1,
        fail_when={"model": "broken"},
        fail_message="model {model} is unavailable",
    )
    converted: str = _convert(str, value)
    return converted


ACTIVITIES: list[Callable[..., Any]] = [
    fetch_forecast,
    post_digest,
    disk_report,
    archive,
    count_words,
    ask_model,
]

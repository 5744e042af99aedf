"""`retry`: run a group of steps again, with backoff, until it succeeds (or a condition holds).

A single activity that only needs retries should use its RetryPolicy instead: that costs no
history. This container is for a group of steps, or for polling until a condition holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from language.diagnostics import Codes
from node_types.base import (
    Config,
    Duration,
    Expression,
    ExpressionRef,
    NodeType,
    Port,
    Role,
    duration_expressions,
    step_failures,
    unbounded_history,
)
from node_types.context import NodeCheck, NodeRender

DURATIONS = frozenset({"initial_interval", "second_interval", "maximum_interval"})
"""Durations that may be expressions giving seconds, e.g. input.poll_seconds."""


class RetryConfig(Config):
    backoff: Literal["fixed", "exponential", "fibonacci"] = "exponential"
    initial_interval: Duration = Field(
        default="1s", description="The first wait, e.g. 30s, or seconds read from data"
    )
    multiplier: float = Field(default=2.0, ge=1.0, le=100.0, description="For exponential")
    second_interval: Duration | None = Field(
        default=None,
        description="For fibonacci: the second wait (default: the first), e.g. 1m then 2m",
    )
    maximum_interval: Duration | None = Field(default=None, description="No wait is longer")
    jitter: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Adds up to this fraction of each wait, at random"
    )
    max_attempts: int = Field(default=3, ge=0, le=100_000, description="0 retries forever")
    until: Expression | None = Field(
        default=None,
        description="Poll until this holds: the body runs again while it is false",
    )


class RetryKind(NodeType[RetryConfig]):
    kind = "retry"
    label = "Retry"
    category = "containers"
    icon = "rotate-ccw"
    color = "#b45309"
    description = (
        "Runs its steps again with backoff until they succeed, or until a condition holds."
    )
    config = RetryConfig
    role = Role.CONTAINER
    template = "retry.jinja"
    outputs = (
        Port("out", "done"),
        Port("exhausted", "gave up", raises_when_unwired=True),
    )
    defaults = {"backoff": "exponential", "initial_interval": "1s", "max_attempts": 3}
    body_context = "retry"
    body_repeats = True
    catches_failures = True
    after_body_fields = frozenset({"config.until"})
    duration_fields = DURATIONS
    after_whole_body = frozenset({"out"})

    def validate(self, config: RetryConfig, ctx: NodeCheck) -> None:
        for name in sorted(DURATIONS):
            ctx.duration(name, getattr(config, name), expression=True)
        warning = unbounded_history(
            ctx.workflow.definition,
            ctx.node.id,
            config.max_attempts or None,
            "this retry",
            backoff=True,
        )
        if warning is not None:
            ctx.warning(Codes.UNBOUNDED_HISTORY, "max_attempts", warning)

    def expressions(self, config: RetryConfig) -> Iterable[ExpressionRef]:
        yield from duration_expressions(config, DURATIONS)
        if config.until:
            yield "until", config.until, False

    def body_binds(self, config: RetryConfig) -> list[tuple[str, str]]:
        return [("attempt", "int")]

    def prepare(self, config: RetryConfig, ctx: NodeRender) -> dict[str, object]:
        ctx.imports.add("ApplicationError")
        seconds = ctx.seconds
        attempt = ctx.container_name("attempt")
        delay = ctx.claim_local("delay")
        body = ctx.body("body") or "pass"
        following = ctx.claim_local("following") if config.backoff == "fibonacci" else None
        error = ctx.claim_local("error")
        return {
            "attempt": attempt,
            "delay": delay,
            "following": following,
            "second": seconds(config.second_interval or config.initial_interval),
            "error": error,
            "non_retryable": ctx.non_retryable(error),
            "backoff": config.backoff,
            "initial": seconds(config.initial_interval),
            "multiplier": repr(config.multiplier),
            "cap": seconds(config.maximum_interval) if config.maximum_interval else None,
            "jitter": repr(config.jitter) if config.jitter else None,
            "max_attempts": config.max_attempts,
            "until": ctx.expr_after_body(config.until) if config.until else None,
            "body": body,
            "caught": step_failures(body),
            "on_success": ctx.body("out"),
            "on_exhausted": ctx.body("exhausted"),
            "exhausted_wired": bool(ctx.bodies("exhausted")),
            "exhausted_leaves": ctx.leaves("exhausted"),
            "exhausted_flag": ctx.claim_local("exhausted") if ctx.bodies("exhausted") else None,
            "node_label": repr(f"{ctx.node.id}: {ctx.node.label or 'retry'}"[:200]),
            "sleep_summary": ctx.fstring(
                f"{ctx.node.id}: backoff after attempt "[:200], (attempt,)
            ),
            "give_up": ctx.fstring(
                f"{ctx.node.label or ctx.node.id}"[:200] + " did not succeed in ",
                (attempt,),
                " attempts",
            ),
        }


KIND = RetryKind()

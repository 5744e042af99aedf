"""`timer`: a durable sleep for a duration, or until a point in time."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field, model_validator

from node_types.base import (
    EVENTS_PER_STEP,
    Config,
    Duration,
    Expression,
    ExpressionRef,
    NodeType,
    Role,
    duration_expressions,
)
from node_types.context import NodeCheck, NodeRender

DURATIONS = frozenset({"duration"})


class TimerConfig(Config):
    duration: Duration | None = Field(
        default=None, description="e.g. 30s, 5m, 1h, or seconds read from data: input.delay"
    )
    until: Expression | None = Field(default=None, description="A datetime to sleep until")

    @model_validator(mode="after")
    def one_of(self) -> TimerConfig:
        if (self.duration is None) == (self.until is None):
            raise ValueError("set exactly one of 'duration' and 'until'")
        return self


class TimerKind(NodeType[TimerConfig]):
    kind = "timer"
    label = "Timer"
    category = "steps"
    icon = "clock"
    color = "#0d9488"
    description = "Waits durably for a duration or until a point in time."
    config = TimerConfig
    role = Role.STEP
    template = "timer.jinja"
    defaults = {"duration": "10s"}
    duration_fields = DURATIONS
    history_events = EVENTS_PER_STEP

    def run_blocker(self, config: TimerConfig) -> str | None:
        return "sleeps until a time computed as it runs" if config.until else None

    def validate(self, config: TimerConfig, ctx: NodeCheck) -> None:
        ctx.duration("duration", config.duration, expression=True)

    def expressions(self, config: TimerConfig) -> Iterable[ExpressionRef]:
        yield from duration_expressions(config, DURATIONS)
        if config.until:
            yield "until", config.until, False

    def prepare(self, config: TimerConfig, ctx: NodeRender) -> dict[str, object]:
        if config.duration:
            return {"delay": ctx.duration(config.duration), "summary": ctx.summary(), "until": None}
        return {
            "delay": None,
            "until": ctx.expr(config.until or ""),
            "deadline": ctx.claim_local("deadline"),
            "summary": ctx.summary(),
        }


KIND = TimerKind()

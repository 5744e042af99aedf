"""`schedule`: starts this workflow on a Temporal Schedule (cron or interval).

It compiles into `schedules.py`, which creates or updates every schedule of the project
idempotently: `python -m <package>.schedules`. Never `cron_schedule=`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import Field, model_validator

from language.diagnostics import Codes
from node_types.base import (
    Config,
    Duration,
    Expression,
    ExpressionRef,
    NodeType,
    Role,
    ScheduleSpec,
)
from node_types.context import NodeCheck

OVERLAP = {
    "skip": "SKIP",
    "buffer_one": "BUFFER_ONE",
    "buffer_all": "BUFFER_ALL",
    "cancel_other": "CANCEL_OTHER",
    "terminate_other": "TERMINATE_OTHER",
    "allow_all": "ALLOW_ALL",
}


class ScheduleConfig(Config):
    schedule_id: str = Field(
        default="", max_length=200, description="Defaults to `<workflow id>-schedule`"
    )
    cron: list[str] = Field(default_factory=list, description="Cron expressions, e.g. 0 * * * *")
    interval: Duration | None = Field(default=None, description="e.g. 30m")
    time_zone: str = Field(default="UTC", description="IANA name, e.g. Europe/Berlin")
    overlap: Literal[
        "skip", "buffer_one", "buffer_all", "cancel_other", "terminate_other", "allow_all"
    ] = "skip"
    catchup_window: Duration = Field(default="1m", description="How far back missed runs count")
    paused: bool = False
    note: str = Field(default="", max_length=500)
    workflow_id: str = Field(
        default="", max_length=200, description="Id prefix of the runs; defaults to the workflow id"
    )
    args: dict[str, Expression] = Field(
        default_factory=dict, description="The workflow's input, as constant expressions"
    )

    @model_validator(mode="after")
    def has_spec(self) -> ScheduleConfig:
        if not self.cron and not self.interval:
            raise ValueError("a schedule needs a cron expression or an interval")
        return self


@functools.cache
def _time_zones() -> frozenset[str]:
    """The time zone names this machine knows (a walk of the zone folders: done once)."""
    return frozenset(available_timezones())


class ScheduleKind(NodeType[ScheduleConfig]):
    kind = "schedule"
    label = "Schedule"
    category = "entries"
    icon = "calendar"
    color = "#16a34a"
    description = "Starts this workflow on a schedule: cron or every N minutes, in a time zone."
    config = ScheduleConfig
    role = Role.ENTRY
    template = "schedule.jinja"
    outputs = ()
    has_input = False
    before_run = True
    defaults = {"interval": "1h", "overlap": "skip"}

    def schedule(self, config: ScheduleConfig) -> ScheduleSpec:
        return ScheduleSpec(
            schedule_id=config.schedule_id,
            workflow_id=config.workflow_id,
            args=config.args,
            cron=config.cron,
            interval=config.interval,
            time_zone=config.time_zone,
            overlap=OVERLAP[config.overlap],
            catchup_window=config.catchup_window,
            paused=config.paused,
            note=config.note,
        )

    def validate(self, config: ScheduleConfig, ctx: NodeCheck) -> None:
        ctx.duration("interval", config.interval)
        ctx.duration("catchup_window", config.catchup_window)
        if config.time_zone not in _time_zones():
            ctx.error(
                Codes.BAD_CONFIG,
                "time_zone",
                f"{config.time_zone!r} is not a time zone name; "
                "use one like 'UTC' or 'Europe/Berlin'",
            )
        else:
            ZoneInfo(config.time_zone)
        for index, expression in enumerate(config.cron):
            fields = expression.split()
            if len(fields) not in (5, 6, 7) and not expression.startswith("@"):
                ctx.error(
                    Codes.BAD_CONFIG,
                    f"cron.{index}",
                    f"{expression!r} is not a cron expression; write five fields like '0 * * * *'",
                )
        ctx.arguments(
            "args",
            config.args,
            ctx.workflow.input.fields,
            f"workflow {ctx.workflow.definition.id!r}",
            optional=set(ctx.workflow.input.defaults),
        )

    def expressions(self, config: ScheduleConfig) -> Iterable[ExpressionRef]:
        for name, text in config.args.items():
            yield f"args.{name}", text, False


KIND = ScheduleKind()

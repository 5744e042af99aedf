"""`activity`: run one activity from the project's catalogue and bind its result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import Field

from language.diagnostics import Codes
from language.document import RetrySpec, heartbeat_advice
from language.expressions import ExpressionError, free_names, parse_expression
from node_types.base import (
    EVENTS_PER_STEP,
    Config,
    Duration,
    Expression,
    ExpressionRef,
    NodeType,
    ResultName,
    Role,
    duration_expressions,
)
from node_types.context import NodeCheck, NodeRender


class Compensation(Config):
    activity: str = Field(min_length=1, description="The activity that undoes this step")
    args: dict[str, Expression] = Field(
        default_factory=dict, description="May read this step's own result"
    )
    even_if_unknown: bool = Field(
        default=False,
        description=(
            "Undo even when the step's outcome is unknown (it timed out or failed after it "
            "may have acted): the undo is registered before the step runs, so it cannot "
            "read the step's result, and it must be harmless where the step did nothing"
        ),
    )


class ActivityConfig(Config):
    activity: str = Field(min_length=1, description="Name of the activity in the catalogue")
    args: dict[str, Expression] = Field(
        default_factory=dict, description="One expression per input field of the activity"
    )
    result: ResultName | None = Field(
        default=None, description="Name that later steps use to read the result"
    )
    start_to_close_timeout: Duration | None = None
    schedule_to_close_timeout: Duration | None = None
    heartbeat_timeout: Duration | None = None
    retry: RetrySpec | None = Field(
        default=None, description="Overrides the catalogue's retry policy for this call"
    )
    compensation: Compensation | None = Field(
        default=None, description="Undo step run if a later step of the enclosing Try fails"
    )


CallConfigT = TypeVar("CallConfigT", bound=ActivityConfig)

TIMEOUTS = frozenset({"start_to_close_timeout", "schedule_to_close_timeout", "heartbeat_timeout"})
"""The call's timeouts: durations, or expressions giving seconds."""


def validate_call(
    config: ActivityConfig, ctx: NodeCheck, skip_fields: tuple[str, ...] = ()
) -> None:
    for name in TIMEOUTS:
        ctx.duration(name, getattr(config, name), expression=True)
    ctx.retry("retry", config.retry)
    info = ctx.activity("activity", config.activity)
    if info is None:
        return
    if config.start_to_close_timeout is not None:  # the catalogue's own is checked there
        heartbeat = config.heartbeat_timeout or info.definition.defaults.heartbeat_timeout
        advice = heartbeat_advice(config.activity, config.start_to_close_timeout, heartbeat)
        if advice is not None:
            ctx.warning(Codes.NO_HEARTBEAT, "heartbeat_timeout", advice)
    expected = {k: v for k, v in info.input.fields.items() if k not in skip_fields}
    ctx.arguments("args", config.args, expected, f"activity {config.activity!r}")
    if config.compensation is not None:
        undo = ctx.activity("compensation.activity", config.compensation.activity)
        if undo is not None:
            what = f"compensation activity {config.compensation.activity!r}"
            ctx.arguments("compensation.args", config.compensation.args, undo.input.fields, what)
        if config.compensation.even_if_unknown and config.result:
            for name, text in config.compensation.args.items():
                if _reads(text, config.result):
                    ctx.error(
                        Codes.BAD_ARGUMENT,
                        f"compensation.args.{name}",
                        f"an undo that runs even when the outcome is unknown is registered "
                        f"before the step runs, so it cannot read the step's result "
                        f"{config.result!r}; pass what the step was given instead",
                    )
    if config.result and info.output == "None":
        ctx.error(
            Codes.BAD_ARGUMENT,
            "result",
            f"activity {config.activity!r} returns nothing, so there is no result to name; "
            "clear the result name or give the activity an output type",
        )


def _reads(text: str, name: str) -> bool:
    try:
        return name in free_names(parse_expression(text))
    except ExpressionError:
        return False  # reported as a bad expression


COMPLETED_METHOD = '''@staticmethod
def _completed(step: asyncio.Future[Any]) -> bool:
    """Whether a step finished with a result, even one that came in the same workflow task
    as this workflow's cancellation (the await then raises, the step is still done)."""
    return step.done() and not step.cancelled() and step.exception() is None'''


def call_variables(
    config: ActivityConfig, ctx: NodeRender, extra: dict[str, str]
) -> dict[str, Any]:
    info = ctx.project.activities[config.activity]
    defaults = info.definition.defaults
    compensation = compensation_call(config, ctx)
    handle = None
    shielded = False
    if compensation is not None and not compensation["first"]:
        # through its handle, shielded: a result that comes with the workflow's cancellation
        # (in the same workflow task) still completes the step, and its undo is registered
        handle = ctx.claim_local("handle")
        ctx.imports.add("asyncio")
        if ctx.scope.spawners:
            # run in a task a failure beside it cancels: shielded, so that its undo is known
            shielded = True
        else:
            ctx.add_member("completed", "", COMPLETED_METHOD)
    args = {name: ctx.expr(config.args[name]) for name in info.input.fields if name in config.args}
    args.update(extra)
    return {
        "result": ctx.result_name(config.result),
        "function": info.function,
        "input_class": info.input.class_name,
        "args": list(args.items()),
        "start_to_close": ctx.duration(
            config.start_to_close_timeout or defaults.start_to_close_timeout
        ),
        "schedule_to_close": (
            ctx.duration(config.schedule_to_close_timeout)
            if config.schedule_to_close_timeout
            else None
        ),
        "heartbeat": (
            ctx.duration(config.heartbeat_timeout or defaults.heartbeat_timeout or "")
            if (config.heartbeat_timeout or defaults.heartbeat_timeout)
            else None
        ),
        "retry": ctx.retry_policy(config.retry or defaults.retry),
        "summary": ctx.activity_summary(config.activity),
        "compensation": compensation,
        "handle": handle,
        "shielded": shielded,
    }


def compensation_call(config: ActivityConfig, ctx: NodeRender) -> dict[str, Any] | None:
    """The registration of this step's undo with the enclosing Try, if there is one."""
    if config.compensation is None or ctx.scope.compensations is None:
        return None
    undo = ctx.project.activities[config.compensation.activity]
    args = config.compensation.args
    first = config.compensation.even_if_unknown
    value = ctx.expr if first else ctx.expr_after_body
    return {
        "first": first,
        "list": ctx.scope.compensations,
        "function": undo.function,
        "input_class": undo.input.class_name,
        "args": ", ".join(
            f"{name}={value(args[name])}" for name in undo.input.fields if name in args
        ),
        "timeout": ctx.duration(undo.definition.defaults.start_to_close_timeout),
        "heartbeat": (
            ctx.duration(undo.definition.defaults.heartbeat_timeout)
            if undo.definition.defaults.heartbeat_timeout
            else None
        ),
        "retry": ctx.retry_policy(undo.definition.defaults.retry),
        "summary": ctx.activity_summary(
            config.compensation.activity, f"undo {ctx.node.label or ctx.node.type}"
        ),
    }


class ActivityStep(NodeType[CallConfigT]):
    """What an activity step shares with the kinds built on it (an agent): its timeouts, its
    arguments, the result it binds, its compensation and the calls it makes."""

    role = Role.STEP
    template = "activity.jinja"
    duration_fields = TIMEOUTS
    after_body_fields = frozenset({"config.compensation"})
    can_fail = True
    history_events = EVENTS_PER_STEP

    def check_failures_come_back(self, config: CallConfigT, ctx: NodeCheck, around: str) -> None:
        """An activity retried without end never fails into the Try or Retry around it."""
        info = ctx.project.activities.get(config.activity)
        if info is None:
            return
        retry = config.retry or info.definition.defaults.retry
        if (retry is not None and retry.maximum_attempts > 0) or config.schedule_to_close_timeout:
            return
        ctx.warning(
            Codes.ENDLESS_RETRIES,
            "retry",
            f"activity {config.activity!r} is retried without end (no maximum attempts, no "
            f"schedule-to-close timeout), so only a non-retryable error or a timeout of one "
            f"attempt reaches the {around} around it; give it a maximum number of attempts",
        )

    def expressions(self, config: CallConfigT) -> Iterable[ExpressionRef]:
        yield from duration_expressions(config, TIMEOUTS)
        for name, text in config.args.items():
            yield f"args.{name}", text, False
        if config.compensation is not None:
            for name, text in config.compensation.args.items():
                yield f"compensation.args.{name}", text, False

    def binds(self, config: CallConfigT, ctx: NodeCheck | NodeRender) -> list[tuple[str, str]]:
        info = ctx.project.activities.get(config.activity)
        if config.result and info is not None:
            return [(config.result, info.output)]
        return []

    def activity_calls(self, config: CallConfigT) -> Iterable[tuple[str, str]]:
        """The step's own call, and its undo's where it has one."""
        calls = [(config.activity, "step")]
        if config.compensation is not None:
            calls.append((config.compensation.activity, "undo"))
        return calls


class ActivityKind(ActivityStep[ActivityConfig]):
    kind = "activity"
    label = "Activity"
    category = "steps"
    icon = "bolt"
    color = "#2563eb"
    description = "Runs an activity from the catalogue with timeouts and a retry policy."
    config = ActivityConfig
    defaults = {"activity": "", "args": {}}

    def validate(self, config: ActivityConfig, ctx: NodeCheck) -> None:
        validate_call(config, ctx)

    def prepare(self, config: ActivityConfig, ctx: NodeRender) -> dict[str, object]:
        return call_variables(config, ctx, {})


KIND = ActivityKind()

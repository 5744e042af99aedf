"""`work_queue`: a long-running consumer of a queue held in state, one child workflow per item.

Signals fill the queue and flip the flags this node reads: `paused_when` (take no new items),
`drain_when` (take no new items; leave once the running ones finish), `stop_when` (emergency:
cancel the running children and fail). Cancelling the workflow cancels the running children the
same way (each once, a start in flight once confirmed) and the workflow ends cancelled. A failed
item is retried up to `max_attempts` times with exponential backoff. `on_done` and `on_failed`
run beside the queue: a slow one holds back no child, a failed one is logged and counted in
`hook_failures`. Everything the queue knows lives in a progress record in the state, so a
continue-as-new (when Temporal suggests it, or past `history_limit` events) carries the queue,
the running children's ids (followed in the next run, never started again), the hook calls not
started yet and the statistics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import Field

from language.diagnostics import Codes
from language.names import names_in
from node_types.base import (
    EVENTS_PER_STEP,
    Config,
    Duration,
    Expression,
    ExpressionRef,
    NodeType,
    ResultName,
    Role,
    StateRecord,
    Template,
    duration_expressions,
    failures_caught,
)
from node_types.context import NodeCheck, NodeRender
from node_types.spawn_children import MAX_CONCURRENCY

DURATIONS = frozenset({"retry_initial", "retry_maximum"})
"""Durations that may be expressions giving seconds, e.g. input.retry_seconds."""

AWAIT_ACTIVITY = "wfd.await_workflow"
"""The activity type a work queue follows an earlier run's child with (activities.py)."""


class ActivityCall(Config):
    activity: str = Field(min_length=1)
    args: dict[str, Expression] = Field(default_factory=dict)


class WorkQueueConfig(Config):
    queue: ResultName = Field(description="The state list the items come from")
    progress: ResultName = Field(
        default="progress", description="State field the queue keeps its bookkeeping in"
    )
    workflow: str = Field(min_length=1, description="Id of the child workflow in this project")
    key: Expression = Field(default="item", description="An item's key, e.g. item.name")
    order_by: Expression | None = Field(
        default=None,
        description="Take the item with the smallest value first (ties in queue order), "
        "e.g. {'high': 0, 'normal': 1, 'low': 2}[item.priority]",
    )
    args: dict[str, Expression] = Field(default_factory=dict, description="Child input; reads item")
    id_template: Template | None = Field(default=None, description="e.g. build-{item.name}")
    concurrency: int = Field(default=4, ge=1, le=MAX_CONCURRENCY)
    concurrency_from: Expression | None = Field(
        default=None, description="Read the limit from here, e.g. state.max_concurrent"
    )
    paused_when: Expression | None = Field(default=None, description="e.g. state.paused")
    drain_when: Expression | None = Field(default=None, description="e.g. state.draining")
    stop_when: Expression | None = Field(default=None, description="e.g. state.emergency_stop")
    failed_when: Expression | None = Field(
        default=None, description="Counts a finished child as failed, e.g. not result.success"
    )
    max_attempts: int = Field(default=3, ge=1, le=100)
    retry_initial: Duration = "30s"
    retry_multiplier: float = Field(default=2.0, ge=1.0, le=100.0)
    retry_maximum: Duration | None = "10m"
    history_limit: int = Field(
        default=10_000, ge=50, le=50_000, description="Continue-as-new past this many events"
    )
    on_done: ActivityCall | None = Field(default=None, description="Runs per item; reads result")
    on_failed: ActivityCall | None = Field(
        default=None, description="Runs once an item gave up; reads error"
    )


def _call(call: ActivityCall | None, ctx: NodeRender, *names: str) -> dict[str, str] | None:
    if call is None:
        return None
    scope = ctx.with_names(*names)
    info = ctx.project.activities[call.activity]
    args = ", ".join(
        f"{name}={scope.expr(call.args[name])}" for name in info.input.fields if name in call.args
    )
    return {
        "function": info.function,
        "input": f"{info.input.class_name}({args})",
        "timeout": ctx.duration(info.definition.defaults.start_to_close_timeout),
        "retry": ctx.retry_policy(info.definition.defaults.retry) or "",
        "summary": ctx.activity_summary(call.activity, call.activity) or "",
    }


class WorkQueueKind(NodeType[WorkQueueConfig]):
    kind = "work_queue"
    label = "Work queue"
    category = "orchestration"
    icon = "inbox"
    color = "#0f766e"
    description = (
        "Consumes a queue held in state: children up to a limit, pause, drain, emergency stop, "
        "retries with backoff, continue-as-new carrying everything."
    )
    config = WorkQueueConfig
    role = Role.STEP
    template = "work_queue.jinja"
    defaults = {"queue": "queue", "workflow": "", "concurrency": 4, "drain_when": "state.draining"}
    not_allowed_in = frozenset({"signal", "update", "branch", "phase"})
    not_allowed_reason = (
        "a work queue runs for the life of the workflow and continues-as-new, which only the "
        "main flow can do; put it in the main flow"
    )
    field_names = {
        "config.key": ("item",),
        "config.order_by": ("item",),
        "config.args": ("item",),
        "config.id_template": ("item",),
        "config.failed_when": ("item", "result"),
        "config.on_done": ("item", "result"),
        "config.on_failed": ("item", "error"),
    }
    duration_fields = DURATIONS
    history_events = EVENTS_PER_STEP
    carries_state = True

    def run_blocker(self, config: WorkQueueConfig) -> str:
        return "serves a work queue until it is told to stop"

    def validate(self, config: WorkQueueConfig, ctx: NodeCheck) -> None:
        ctx.duration("retry_initial", config.retry_initial, expression=True)
        ctx.duration("retry_maximum", config.retry_maximum, expression=True)
        state = {var.name: var.type for var in ctx.workflow.definition.state}
        if config.queue not in state:
            ctx.error(
                Codes.UNKNOWN_NAME,
                "queue",
                f"the workflow has no state field {config.queue!r}; add a list field for the queue",
            )
        elif not state[config.queue].replace(" ", "").startswith("list["):
            ctx.error(
                Codes.BAD_TYPE,
                "queue",
                f"state field {config.queue!r} is {state[config.queue]!r}; a queue must be a list",
            )
        if config.progress in state:
            ctx.error(
                Codes.DUPLICATE_NAME,
                "progress",
                f"state field {config.progress!r} exists already; "
                "the queue needs a field of its own",
            )
        info = ctx.workflow_ref("workflow", config.workflow)
        if info is not None:
            ctx.arguments(
                "args",
                config.args,
                info.input.fields,
                f"workflow {config.workflow!r}",
                optional=set(info.input.defaults),
            )
        for field, call in (("on_done", config.on_done), ("on_failed", config.on_failed)):
            if call is None:
                continue
            activity = ctx.activity(f"{field}.activity", call.activity)
            if activity is not None:
                what = f"activity {call.activity!r}"
                ctx.arguments(f"{field}.args", call.args, activity.input.fields, what)

    def expressions(self, config: WorkQueueConfig) -> Iterable[ExpressionRef]:
        yield from duration_expressions(config, DURATIONS)
        yield "key", config.key, False
        if config.order_by:
            yield "order_by", config.order_by, False
        for name, text in config.args.items():
            yield f"args.{name}", text, False
        if config.id_template:
            yield "id_template", config.id_template, True
        for field in ("concurrency_from", "paused_when", "drain_when", "stop_when", "failed_when"):
            text = getattr(config, field)
            if text:
                yield field, text, False
        for field, call in (("on_done", config.on_done), ("on_failed", config.on_failed)):
            if call is not None:
                for name, text in call.args.items():
                    yield f"{field}.args.{name}", text, False

    def name_types(self, config: WorkQueueConfig, ctx: NodeCheck) -> dict[str, str]:
        """`item` is one element of the queue, `result` the child's output, `error` its message."""
        queue = ctx.workflow.work_queues.get(ctx.node.id)
        child = ctx.project.workflows.get(config.workflow)
        return {
            "item": queue.item_annotation if queue is not None else "Any",
            "result": child.output if child is not None else "Any",
            "error": "str",
        }

    def activity_calls(self, config: WorkQueueConfig) -> list[tuple[str, str]]:
        """Following an earlier run's child (its summary always says which node, see
        backend.runtime.children), and the `on_done` / `on_failed` calls."""
        calls = [(AWAIT_ACTIVITY, "aux")]
        calls += [(call.activity, "aux") for call in (config.on_done, config.on_failed) if call]
        return calls

    def prepare(self, config: WorkQueueConfig, ctx: NodeRender) -> dict[str, object]:
        ctx.imports |= {
            "contextlib",
            "asyncio",
            "ApplicationError",
            "ParentClosePolicy",
            "WorkflowIDReusePolicy",
            "timedelta",
            "dataclasses",
        }
        info = ctx.project.workflows[config.workflow]
        item_scope = ctx.with_names("item")
        key_of = item_scope.expr(config.key)
        names = {
            base: ctx.claim_local(base)
            for base in (
                "progress",
                "children",
                "starting",
                "child_handle",
                "follow",
                "start_child",
                "launch",
                "can_take",
                "key",
                "child_id",
                "child_task",
                "failure",
                "delay",
                "next_retry",
                "stopped",
                "cancelled",
                "halt",
                "settled",
                "hooks",
                "hook",
                "run_hook",
                "hook_task",
                "call",
                "start_hooks",
                "hooks_idle",
                "leaving",
                "time_to_continue",
                "rank",
            )
        }

        def flag(text: str | None) -> str:
            if not text:
                return "False"
            code = ctx.expr(text)
            return code if re.fullmatch(r"[\w.]+", code) else f"({code})"

        limit = (
            f"max(1, min({MAX_CONCURRENCY}, int({ctx.expr(config.concurrency_from)})))"
            if config.concurrency_from
            else str(config.concurrency)
        )
        label = ctx.node.label or ctx.node.id
        on_done = _call(config.on_done, ctx, "item", "result")
        on_failed = _call(config.on_failed, ctx, "item", "error")
        has_hooks = config.on_done is not None or config.on_failed is not None
        if has_hooks:
            ctx.imports |= {"Awaitable", "ActivityError", "is_cancelled_exception"}
        failed_when = (
            ctx.with_names("item", "result").expr(config.failed_when)
            if config.failed_when
            else None
        )
        limit_name = ctx.claim_local("limit")
        # not paused, not draining, a slot free and the hooks no more than a round of children
        # behind
        take_when = [
            f"not {flag(text)}" for text in (config.paused_when, config.drain_when) if text
        ]
        take_when.append(f"len({names['children']}) < {limit_name if has_hooks else limit}")
        if has_hooks:
            take_when.append(f"len({names['hooks']}) <= {limit_name}")
        result_name = ctx.container_name("result")
        uses_result = result_name in names_in(
            " ".join(filter(None, [failed_when, on_done["input"] if on_done else None]))
        )
        return {
            **names,
            "limit_name": limit_name,
            "take_when": take_when,
            "failure_message": ctx.failure_message(names["failure"]),
            "caught": failures_caught(starts_children=True),
            "uses_result": uses_result,
            "item": ctx.container_name("item"),
            "result": result_name,
            "error": ctx.container_name("error"),
            "queue": f"self._state.{config.queue}",
            "progress_field": config.progress,
            "key_of": key_of,
            "order_of": item_scope.expr(config.order_by) if config.order_by else None,
            "workflow": repr(config.workflow),
            "input_class": info.input.class_name,
            "args": ", ".join(
                f"{n}={item_scope.expr(config.args[n])}"
                for n in info.input.fields
                if n in config.args
            ),
            "child_id_of": (
                item_scope.template(config.id_template)
                if config.id_template
                else ctx.fstring(f"{config.workflow}-", (key_of,))
            ),
            "result_type": info.output if info.output not in ("None", "Any") else None,
            "limit": limit,
            "paused": flag(config.paused_when),
            "draining": flag(config.drain_when),
            "stopping": flag(config.stop_when),
            "has_stop": config.stop_when is not None,
            "has_drain": config.drain_when is not None,
            "has_hooks": has_hooks,
            "failed_when": failed_when,
            "max_attempts": config.max_attempts,
            "initial": ctx.seconds(config.retry_initial),
            "multiplier": repr(config.retry_multiplier),
            "maximum": ctx.seconds(config.retry_maximum) if config.retry_maximum else None,
            "history_limit": config.history_limit,
            "resume_field": ctx.workflow.resume_field,
            "on_done": on_done,
            "on_failed": on_failed,
            "hook_calls": [
                {**call, "due": f"{name}_due", "input_name": ctx.claim_local(f"{name}_input")}
                for name, call in (("on_done", on_done), ("on_failed", on_failed))
                if call is not None
            ],
            "summary": repr(f"{ctx.node.id}: {label}"[:200]),
            "follow_summary": repr(f"{ctx.node.id}: follow a child of an earlier run"[:200]),
            "stop_message": ctx.fstring(
                f"{label}: emergency stop; cancelled "[:200],
                (f"len({names['cancelled']})",),
                " running children",
            ),
            "failed_message": ctx.fstring((names["key"],), " finished but counts as failed"),
        }

    def state_record(self, config: WorkQueueConfig) -> StateRecord:
        """The progress record the queue keeps in the state, and the activities of its hooks."""
        hooks = {"on_done": config.on_done, "on_failed": config.on_failed}
        return StateRecord(
            field=config.progress,
            items_from=config.queue,
            hooks={name: call.activity for name, call in hooks.items() if call is not None},
        )


KIND = WorkQueueKind()

"""`child_workflow`: start another workflow of the project as a child, and wait for it or not."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from language.diagnostics import Codes
from node_types.base import (
    EVENTS_PER_STEP,
    Config,
    Duration,
    Expression,
    ExpressionRef,
    NodeType,
    ResultName,
    Role,
    Template,
    duration_expressions,
)
from node_types.context import NodeCheck, NodeRender
from node_types.signal_external import CHILD_HANDLES

DURATIONS = frozenset({"execution_timeout"})

PARENT_CLOSE = {
    "terminate": "TERMINATE",
    "abandon": "ABANDON",
    "request_cancel": "REQUEST_CANCEL",
}
ID_REUSE = {
    "allow_duplicate": "ALLOW_DUPLICATE",
    "allow_duplicate_failed_only": "ALLOW_DUPLICATE_FAILED_ONLY",
    "reject_duplicate": "REJECT_DUPLICATE",
}


class ChildWorkflowConfig(Config):
    workflow: str = Field(min_length=1, description="Id of a workflow in this project")
    args: dict[str, Expression] = Field(default_factory=dict)
    id_template: Template | None = Field(
        default=None, description="Child workflow id, e.g. build-{input.package}"
    )
    wait: bool = Field(default=True, description="Wait for the result, or fire and forget")
    parent_close_policy: Literal["request_cancel", "terminate", "abandon"] = Field(
        default="request_cancel",
        description=(
            "When this workflow closes first: request_cancel lets the child run its own undo "
            "and clean-up, then end cancelled; terminate stops it at once (Temporal's own "
            "default, which skips that clean-up); abandon leaves it running"
        ),
    )
    id_reuse_policy: Literal[
        "allow_duplicate", "allow_duplicate_failed_only", "reject_duplicate"
    ] = "allow_duplicate_failed_only"
    execution_timeout: Duration | None = None
    result: ResultName | None = None


class ChildWorkflowKind(NodeType[ChildWorkflowConfig]):
    kind = "child_workflow"
    label = "Child workflow"
    category = "steps"
    icon = "workflow"
    color = "#9333ea"
    description = "Starts another workflow of the project as a child; waits for it or not."
    config = ChildWorkflowConfig
    role = Role.STEP
    template = "child_workflow.jinja"
    defaults = {"workflow": "", "args": {}, "wait": True}
    duration_fields = DURATIONS
    can_fail = True
    history_events = EVENTS_PER_STEP

    def started_workflow(self, config: ChildWorkflowConfig) -> str:
        return config.workflow

    def validate(self, config: ChildWorkflowConfig, ctx: NodeCheck) -> None:
        ctx.duration("execution_timeout", config.execution_timeout, expression=True)
        info = ctx.workflow_ref("workflow", config.workflow)
        if info is None:
            return
        ctx.arguments(
            "args",
            config.args,
            info.input.fields,
            f"workflow {config.workflow!r}",
            optional=set(info.input.defaults),
        )
        if config.result and not config.wait:
            ctx.error(
                Codes.BAD_ARGUMENT,
                "result",
                "a child that is not waited for has no result; set wait or clear the result name",
            )
        if config.result and info.output == "None":
            ctx.error(
                Codes.BAD_ARGUMENT,
                "result",
                f"workflow {config.workflow!r} returns nothing; clear the result name",
            )

    def expressions(self, config: ChildWorkflowConfig) -> Iterable[ExpressionRef]:
        yield from duration_expressions(config, DURATIONS)
        for name, text in config.args.items():
            yield f"args.{name}", text, False
        if config.id_template:
            yield "id_template", config.id_template, True

    def binds(
        self, config: ChildWorkflowConfig, ctx: NodeCheck | NodeRender
    ) -> list[tuple[str, str]]:
        info = ctx.project.workflows.get(config.workflow)
        if config.result and config.wait and info is not None:
            return [(config.result, info.output)]
        return []

    def prepare(self, config: ChildWorkflowConfig, ctx: NodeRender) -> dict[str, object]:
        info = ctx.project.workflows[config.workflow]
        ctx.imports.add("ParentClosePolicy")
        ctx.imports.add("WorkflowIDReusePolicy")
        child_id = (
            ctx.template(config.id_template)
            if config.id_template
            else f"workflow.info().workflow_id + {'-' + ctx.node.id!r}"
        )
        result_type = info.output if info.output not in ("None", "Any") else None
        signalled = any(
            node.type == "signal_external" and node.config.get("child") == ctx.node.id
            for node in ctx.workflow.definition.nodes
        )
        if signalled:
            ctx.add_member("child_handles", CHILD_HANDLES)
        return {
            "result": ctx.result_name(config.result) if config.wait else None,
            "wait": config.wait,
            "handle": ctx.claim_local("handle") if signalled else None,
            "node_id": repr(ctx.node.id),
            "call_name": "execute_child_workflow" if config.wait else "start_child_workflow",
            "name": repr(config.workflow),
            "input_class": info.input.class_name,
            "args": [(n, ctx.expr(config.args[n])) for n in info.input.fields if n in config.args],
            "child_id": child_id,
            "result_type": result_type if config.wait or signalled else None,
            "parent_close": PARENT_CLOSE[config.parent_close_policy],
            "id_reuse": ID_REUSE[config.id_reuse_policy],
            "execution_timeout": (
                ctx.duration(config.execution_timeout) if config.execution_timeout else None
            ),
            "summary": ctx.summary(),
        }


KIND = ChildWorkflowKind()

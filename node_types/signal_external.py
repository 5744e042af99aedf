"""`signal_external`: send a signal to another running workflow, by id, or to a child.

A signal to a child started by a `child_workflow` node of the same workflow goes through the
handle its start returned, once the child has started: sent by id, it could reach for a child
whose start is still in flight and fail with "workflow not found"."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from language.diagnostics import Codes
from language.document import Node, Workflow
from node_types.base import (
    EVENTS_PER_STEP,
    Config,
    Expression,
    ExpressionRef,
    NodeType,
    Role,
    Template,
)
from node_types.context import NodeCheck, NodeRender

CHILD_HANDLES = "self._child_handles: dict[str, workflow.ChildWorkflowHandle[Any, Any]] = {}"
"""The `__init__` line of child node id -> the handle of the child it started last."""


class SignalExternalConfig(Config):
    workflow_id: Template = Field(
        default="", description="Id of the workflow to signal (or pick a child below)"
    )
    child: str | None = Field(
        default=None,
        description=(
            "A child workflow node of this workflow: signals the child it started, through "
            "the handle of its start, waiting until it has started"
        ),
    )
    signal: str = Field(min_length=1, max_length=100, description="Signal name")
    workflow: str | None = Field(
        default=None,
        description="The receiving workflow of this project, to type the payload",
    )
    args: dict[str, Expression] = Field(default_factory=dict)


def child_node(config: SignalExternalConfig, workflow: Workflow) -> Node | None:
    """The child_workflow node whose child this signal goes to, if one is chosen."""
    if config.child is None:
        return None
    return next((n for n in workflow.nodes if n.id == config.child), None)


def receiver(config: SignalExternalConfig, workflow: Workflow) -> str | None:
    """The project workflow receiving the signal: the one chosen, or the chosen child's."""
    child = child_node(config, workflow)
    if child is not None and child.type == "child_workflow":
        target = child.config.get("workflow")
        return target if isinstance(target, str) else None
    return config.workflow


class SignalExternalKind(NodeType[SignalExternalConfig]):
    kind = "signal_external"
    label = "Signal workflow"
    category = "steps"
    icon = "send"
    color = "#db2777"
    description = "Sends a signal to another running workflow."
    config = SignalExternalConfig
    role = Role.STEP
    history_events = EVENTS_PER_STEP
    template = "signal_external.jinja"
    defaults = {"workflow_id": "", "signal": "", "args": {}}

    def signalled_workflow(self, config: SignalExternalConfig) -> str | None:
        return config.workflow_id if config.child is None else None

    def needs_workflow_init(self, config: SignalExternalConfig) -> bool:
        # the handles of the children it signals start empty in `__init__`
        return bool(config.child)

    def validate(self, config: SignalExternalConfig, ctx: NodeCheck) -> None:
        if config.child is not None:
            child = child_node(config, ctx.workflow.definition)
            if child is None or child.type != "child_workflow":
                ctx.error(
                    Codes.BAD_ARGUMENT,
                    "child",
                    f"{config.child!r} is not a child workflow node of this workflow",
                )
                return
            if config.workflow_id:
                ctx.error(
                    Codes.BAD_ARGUMENT,
                    "workflow_id",
                    "give either the workflow id to signal or a child node, not both",
                )
        elif not config.workflow_id:
            ctx.error(
                Codes.BAD_ARGUMENT,
                "workflow_id",
                "give the id of the workflow to signal, or pick a child node of this workflow",
            )
        target = receiver(config, ctx.workflow.definition)
        if target is None:
            return
        if config.workflow is not None and target != config.workflow:
            ctx.error(
                Codes.BAD_ARGUMENT,
                "workflow",
                f"the child node starts workflow {target!r}, not {config.workflow!r}",
            )
            return
        info = ctx.workflow_ref("workflow", target)
        if info is None:
            return
        handler = info.handlers.get(("signal", config.signal))
        if handler is None:
            known = ", ".join(repr(name) for kind, name in info.handlers if kind == "signal")
            ctx.error(
                Codes.BAD_ARGUMENT,
                "signal",
                f"workflow {target!r} has no signal {config.signal!r}; "
                f"its signals are {known or 'none'}",
            )
            return
        expected = handler.payload.fields if handler.payload else {}
        ctx.arguments("args", config.args, expected, f"signal {config.signal!r}")

    def expressions(self, config: SignalExternalConfig) -> Iterable[ExpressionRef]:
        for name, text in config.args.items():
            yield f"args.{name}", text, False
        if config.workflow_id:
            yield "workflow_id", config.workflow_id, True

    def prepare(self, config: SignalExternalConfig, ctx: NodeRender) -> dict[str, object]:
        payload_class = None
        target = receiver(config, ctx.workflow.definition)
        if target:
            handler = ctx.project.workflows[target].handlers[("signal", config.signal)]
            payload_class = handler.payload.class_name if handler.payload else None
        args = [(name, ctx.expr(text)) for name, text in config.args.items()]
        if payload_class:
            payload = f"{payload_class}({', '.join(f'{n}={v}' for n, v in args)})"
        elif args:
            payload = "{" + ", ".join(f"{n!r}: {v}" for n, v in args) + "}"
        else:
            payload = None
        if config.child is not None:
            ctx.add_member("child_handles", CHILD_HANDLES)
            return {
                "child": repr(config.child),
                "signal": repr(config.signal),
                "payload": payload,
            }
        return {
            "child": None,
            "target": ctx.template(config.workflow_id),
            "signal": repr(config.signal),
            "payload": payload,
        }


KIND = SignalExternalKind()

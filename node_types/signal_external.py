"""`signal_external`: send a signal to another running workflow, by id."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from compiler.context import NodeCheck, NodeRender
from compiler.diagnostics import Codes
from node_types.base import Config, Expression, ExpressionRef, NodeType, Role, Template


class SignalExternalConfig(Config):
    workflow_id: Template = Field(min_length=1, description="Id of the workflow to signal")
    signal: str = Field(min_length=1, max_length=100, description="Signal name")
    workflow: str | None = Field(
        default=None,
        description="The receiving workflow of this project, to type the payload",
    )
    args: dict[str, Expression] = Field(default_factory=dict)


def validate(config: SignalExternalConfig, ctx: NodeCheck) -> None:
    if config.workflow is None:
        return
    info = ctx.workflow_ref("workflow", config.workflow)
    if info is None:
        return
    handler = info.handlers.get(("signal", config.signal))
    if handler is None:
        known = ", ".join(repr(name) for kind, name in info.handlers if kind == "signal")
        ctx.error(
            Codes.BAD_ARGUMENT,
            "signal",
            f"workflow {config.workflow!r} has no signal {config.signal!r}; "
            f"its signals are {known or 'none'}",
        )
        return
    expected = handler.payload.fields if handler.payload else {}
    ctx.arguments("args", config.args, expected, f"signal {config.signal!r}")


def expressions(config: SignalExternalConfig) -> Iterable[ExpressionRef]:
    for name, text in config.args.items():
        yield f"args.{name}", text, False
    yield "workflow_id", config.workflow_id, True


def prepare(config: SignalExternalConfig, ctx: NodeRender) -> dict[str, object]:
    payload_class = None
    if config.workflow:
        handler = ctx.project.workflows[config.workflow].handlers[("signal", config.signal)]
        payload_class = handler.payload.class_name if handler.payload else None
    args = [(name, ctx.expr(text)) for name, text in config.args.items()]
    if payload_class:
        payload = f"{payload_class}({', '.join(f'{n}={v}' for n, v in args)})"
    elif args:
        payload = "{" + ", ".join(f"{n!r}: {v}" for n, v in args) + "}"
    else:
        payload = None
    return {
        "target": ctx.template(config.workflow_id),
        "signal": repr(config.signal),
        "payload": payload,
    }


KIND = NodeType(
    kind="signal_external",
    label="Signal workflow",
    category="steps",
    icon="send",
    color="#db2777",
    description="Sends a signal to another running workflow.",
    config=SignalExternalConfig,
    role=Role.STEP,
    template="signal_external.jinja",
    validate=validate,
    expressions=expressions,
    prepare=prepare,
    defaults={"workflow_id": "", "signal": "", "args": {}},
)

"""`end`: return from the workflow (or from an update handler) with a value."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from language.diagnostics import Codes
from node_types.base import Config, Expression, ExpressionRef, NodeType, Role
from node_types.context import NodeCheck, NodeRender


class EndConfig(Config):
    value: Expression | None = Field(default=None, description="What the workflow returns")


class EndKind(NodeType[EndConfig]):
    kind = "end"
    label = "End"
    category = "steps"
    icon = "flag"
    color = "#16a34a"
    description = "Ends the workflow and returns its result."
    config = EndConfig
    role = Role.TERMINAL
    template = "end.jinja"
    outputs = ()
    not_allowed_in = frozenset({"signal", "phase", "branch"})
    not_allowed_reason = (
        "an End returns from the workflow, which a signal handler, a phase or a parallel "
        "branch cannot do; connect the path onwards and end after it"
    )
    instant = True

    def validate(self, config: EndConfig, ctx: NodeCheck) -> None:
        if config.value is None and ctx.scope_output not in ("None", "Any"):
            ctx.error(
                Codes.MISSING_RETURN,
                "value",
                f"this returns {ctx.scope_output}; give the end node a value expression",
            )
        if config.value is not None and ctx.scope_output == "None":
            ctx.error(
                Codes.BAD_ARGUMENT,
                "value",
                "this returns nothing; set an output type or clear the value",
            )
        if config.value is not None:
            ctx.assigns("value", ctx.scope_output, "the result")

    def expressions(self, config: EndConfig) -> Iterable[ExpressionRef]:
        if config.value is not None:
            yield "value", config.value, False

    def prepare(self, config: EndConfig, ctx: NodeRender) -> dict[str, object]:
        return {
            "value": ctx.expr(config.value) if config.value is not None else None,
            # a handler still running when the run method returns would be cut off
            "drain_handlers": ctx.scope.kind == "run" and ctx.workflow.handlers_have_bodies,
        }


KIND = EndKind()

"""`fail`: fail the workflow (or reject an update) with an ApplicationError."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from node_types.base import Config, ExpressionRef, NodeType, Role, Template
from node_types.context import NodeRender


class FailConfig(Config):
    message: Template = Field(min_length=1, description="Why it failed; {expressions} allowed")
    error_type: str = Field(default="WorkflowFailed", pattern=r"^[A-Za-z][A-Za-z0-9_.]{0,99}$")
    non_retryable: bool = True


class FailKind(NodeType[FailConfig]):
    kind = "fail"
    label = "Fail"
    category = "steps"
    icon = "x-octagon"
    color = "#dc2626"
    description = "Fails the workflow with a message, or rejects an update."
    config = FailConfig
    role = Role.TERMINAL
    template = "fail.jinja"
    outputs = ()
    defaults = {"message": "", "non_retryable": True}
    not_allowed_in = frozenset({"signal"})
    not_allowed_reason = (
        "raising in a signal handler fails the whole workflow, and the sender never learns "
        "why; use an update with a validator to reject a request"
    )
    instant = True

    def fails_with(self, config: FailConfig) -> str:
        return config.error_type

    def expressions(self, config: FailConfig) -> Iterable[ExpressionRef]:
        return [("message", config.message, True)]

    def prepare(self, config: FailConfig, ctx: NodeRender) -> dict[str, object]:
        ctx.imports.add("ApplicationError")
        return {
            "message": ctx.template(config.message),
            "error_type": repr(config.error_type),
            "non_retryable": config.non_retryable,
            # an update still running when the workflow fails would be cut off mid-way
            "drain_handlers": ctx.scope.kind == "run" and ctx.workflow.handlers_have_bodies,
        }


KIND = FailKind()

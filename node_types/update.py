"""`update`: a `@workflow.update` handler with a validator; its body may return a value."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from pydantic import Field

from language.document import Fields, TypeRef
from node_types.base import Config, Expression, ExpressionRef, NodeType, Role
from node_types.context import NodeCheck, NodeRender
from node_types.signal import EXCLUSIVE_DESCRIPTION, handler_variables


class UpdateConfig(Config):
    name: str = Field(min_length=1, max_length=100, description="The update's name in Temporal")
    params: Fields = Field(default_factory=dict, description="Payload fields: name -> type")
    returns: TypeRef = Field(default="None", description="Type of the value the update returns")
    validator: Expression | None = Field(
        default=None, description="Must hold for the update to be accepted"
    )
    validator_message: str = Field(default="the update was rejected", max_length=500)
    exclusive: bool = Field(default=False, description=EXCLUSIVE_DESCRIPTION)


def _rejection(accepts: str) -> str:
    """The condition that rejects an update accepted by `accepts` (`not x` rejects `x`)."""
    tree = ast.parse(accepts, mode="eval").body
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not):
        return ast.unparse(tree.operand)
    return f"not ({accepts})"


class UpdateKind(NodeType[UpdateConfig]):
    kind = "update"
    label = "Update"
    category = "entries"
    icon = "refresh"
    color = "#db2777"
    description = "Receives an update: validated, then handled; returns a value to the caller."
    config = UpdateConfig
    role = Role.ENTRY
    template = "update.jinja"
    has_input = False
    defaults = {"name": "", "params": {}}
    instant = True
    message_type = "update"

    def validate(self, config: UpdateConfig, ctx: NodeCheck) -> None:
        ctx.typeref("returns", config.returns)

    def expressions(self, config: UpdateConfig) -> Iterable[ExpressionRef]:
        if config.validator:
            yield "validator", config.validator, False

    def prepare(self, config: UpdateConfig, ctx: NodeRender) -> dict[str, object]:
        variables = handler_variables("update", config.name, ctx, exclusive=config.exclusive)
        variables["returns"] = ctx.annotation(config.returns)
        variables["rejects"] = _rejection(ctx.expr(config.validator)) if config.validator else None
        variables["validator_method"] = ctx.claim_method(f"validate_{variables['method']}")
        variables["message"] = repr(config.validator_message)
        return variables

    def scope_output(self, config: UpdateConfig) -> str:
        return config.returns

    def message(self, config: UpdateConfig) -> tuple[str, dict[str, str]]:
        return (config.name, dict(config.params))


KIND = UpdateKind()

"""`condition`: if/else on an expression."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from node_types.base import Config, Expression, ExpressionRef, NodeType, Port, Role
from node_types.context import NodeRender


class ConditionConfig(Config):
    expression: Expression = Field(description="Taken as true or false")


class ConditionKind(NodeType[ConditionConfig]):
    kind = "condition"
    label = "Condition"
    category = "branching"
    icon = "git-branch"
    color = "#d97706"
    description = "Takes the true or the false path depending on an expression."
    config = ConditionConfig
    role = Role.BRANCH
    template = "condition.jinja"
    outputs = (Port("true", "true"), Port("false", "false"))
    defaults = {"expression": ""}
    instant = True

    def if_expression(self, config: ConditionConfig) -> str:
        return config.expression

    def expressions(self, config: ConditionConfig) -> Iterable[ExpressionRef]:
        return [("expression", config.expression, False)]

    def choice_expressions(self, config: ConditionConfig) -> dict[str, str]:
        return {"true": config.expression}

    def prepare(self, config: ConditionConfig, ctx: NodeRender) -> dict[str, object]:
        test = ctx.expr(config.expression)
        chosen = ctx.patched_choice({"true": test})
        return {
            "choose": chosen.code if chosen else "",
            "test": chosen.tests["true"] if chosen else test,
            "when_true": ctx.body("true"),
            "when_false": ctx.body("false"),
            "true_leaves": ctx.leaves("true"),
            "false_leaves": ctx.leaves("false"),
        }


KIND = ConditionKind()

"""`query`: a `@workflow.query` handler returning an expression over input and state, and
over the arguments its caller passes (`payload`), when it declares some."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from language.document import Fields, TypeRef
from language.names import docstring
from node_types.base import Config, Expression, ExpressionRef, NodeType, Role
from node_types.context import NodeCheck, NodeRender


class QueryConfig(Config):
    name: str = Field(min_length=1, max_length=100, description="The query's name in Temporal")
    params: Fields = Field(
        default_factory=dict,
        description="Arguments the caller passes (read as payload.<name>): name -> type",
    )
    value: Expression = Field(description="What the query answers, e.g. state.progress")
    returns: TypeRef = Field(default="Any", description="Type of the answer")


class QueryKind(NodeType[QueryConfig]):
    kind = "query"
    label = "Query"
    category = "entries"
    icon = "search"
    color = "#db2777"
    description = "Answers a query with an expression over the workflow's input and state."
    config = QueryConfig
    role = Role.ENTRY
    template = "query.jinja"
    outputs = ()
    has_input = False
    message_type = "query"
    read_only = True
    defaults = {"name": "", "params": {}, "value": "state", "returns": "Any"}

    def validate(self, config: QueryConfig, ctx: NodeCheck) -> None:
        ctx.typeref("returns", config.returns)
        ctx.assigns(
            "value", ctx.project.annotation(config.returns), f"the answer of {config.name!r}"
        )

    def expressions(self, config: QueryConfig) -> Iterable[ExpressionRef]:
        return [("value", config.value, False)]

    def prepare(self, config: QueryConfig, ctx: NodeRender) -> dict[str, object]:
        handler = ctx.workflow.handlers[("query", config.name)]
        return {
            "name": repr(config.name),
            "method": handler.method,
            "payload": handler.payload.class_name if handler.payload else None,
            "returns": ctx.annotation(config.returns),
            "value": ctx.expr(config.value),
            "docstring": docstring(f"Query {config.name} (node {ctx.node.id})."),
        }

    def message(self, config: QueryConfig) -> tuple[str, dict[str, str]]:
        return (config.name, dict(config.params))


KIND = QueryKind()

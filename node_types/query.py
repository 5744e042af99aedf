"""`query`: a `@workflow.query` handler returning an expression over input and state, and
over the arguments its caller passes (`payload`), when it declares some."""

from __future__ import annotations

from pydantic import Field

from language.document import Fields, TypeRef
from language.names import docstring
from node_types.base import Config, Expression, NodeType, Role
from node_types.context import NodeCheck, NodeRender


class QueryConfig(Config):
    name: str = Field(min_length=1, max_length=100, description="The query's name in Temporal")
    params: Fields = Field(
        default_factory=dict,
        description="Arguments the caller passes (read as payload.<name>): name -> type",
    )
    value: Expression = Field(description="What the query answers, e.g. state.progress")
    returns: TypeRef = Field(default="Any", description="Type of the answer")


def validate(config: QueryConfig, ctx: NodeCheck) -> None:
    ctx.typeref("returns", config.returns)
    ctx.assigns("value", ctx.project.annotation(config.returns), f"the answer of {config.name!r}")


def prepare(config: QueryConfig, ctx: NodeRender) -> dict[str, object]:
    handler = ctx.workflow.handlers[("query", config.name)]
    return {
        "name": repr(config.name),
        "method": handler.method,
        "payload": handler.payload.class_name if handler.payload else None,
        "returns": ctx.annotation(config.returns),
        "value": ctx.expr(config.value),
        "docstring": docstring(f"Query {config.name} (node {ctx.node.id})."),
    }


KIND = NodeType(
    kind="query",
    label="Query",
    category="entries",
    icon="search",
    color="#db2777",
    description="Answers a query with an expression over the workflow's input and state.",
    config=QueryConfig,
    role=Role.ENTRY,
    template="query.jinja",
    outputs=(),
    has_input=False,
    validate=validate,
    expressions=lambda config: [("value", config.value, False)],
    prepare=prepare,
    defaults={"name": "", "params": {}, "value": "state", "returns": "Any"},
    message=lambda config: (config.name, dict(config.params)),
)

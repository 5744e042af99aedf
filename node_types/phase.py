"""`phase`: a named group of steps, compiled to a private method called inline."""

from __future__ import annotations

from language.names import docstring, snake
from node_types.base import Config, NodeType, Role
from node_types.context import NodeRender


class PhaseConfig(Config):
    pass


class PhaseKind(NodeType[PhaseConfig]):
    kind = "phase"
    label = "Phase"
    category = "containers"
    icon = "layers"
    color = "#475569"
    description = "A named stage of the workflow holding its own steps."
    config = PhaseConfig
    role = Role.CONTAINER
    template = "phase.jinja"

    def prepare(self, config: PhaseConfig, ctx: NodeRender) -> dict[str, object]:
        method = ctx.claim_method("_phase_" + snake(ctx.node.label or ctx.node.id, "phase"))
        names = sorted(ctx.scope.mapping[name] for name in ctx.phase_parameters())
        parameters = [(name, ctx.scope.locals[name]) for name in names]
        text = docstring(f"Phase {ctx.node.label or ctx.node.id} (node {ctx.node.id}).")
        body = ctx.body("body")
        ctx.add_method(
            ctx.render_snippet(
                "phase_method.jinja",
                method=method,
                parameters=parameters,
                docstring=text,
                body=body,
            )
        )
        return {"method": method, "arguments": names}


KIND = PhaseKind()

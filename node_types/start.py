"""`start`: where the workflow's run method begins; the workflow's input is its payload."""

from __future__ import annotations

from language.names import docstring
from node_types.base import Config, NodeType, Role
from node_types.context import NodeRender


class StartConfig(Config):
    pass


class StartKind(NodeType[StartConfig]):
    kind = "start"
    label = "Start"
    category = "entries"
    icon = "play"
    color = "#16a34a"
    description = "Where the workflow begins. Its input fields are the workflow's input."
    config = StartConfig
    role = Role.ENTRY
    template = "start.jinja"
    has_input = False
    starts_run = True

    def prepare(self, config: StartConfig, ctx: NodeRender) -> dict[str, object]:
        definition = ctx.workflow.definition
        doc = definition.description or definition.name or definition.id
        return {
            "input_parameter": ctx.workflow.input.parameter,
            "output": ctx.workflow.output,
            "docstring": docstring(doc),
            "prelude": ctx.run_prelude(),
            "body": ctx.body("out"),
        }


KIND = StartKind()

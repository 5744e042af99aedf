"""`continue_as_new`: start a fresh run of this workflow that carries the state over.

Waits for running signal and update handlers to finish first, so none is cut off.
"""

from __future__ import annotations

from node_types.base import Config, NodeType, Role
from node_types.context import NodeRender


class ContinueAsNewConfig(Config):
    pass


class ContinueAsNewKind(NodeType[ContinueAsNewConfig]):
    kind = "continue_as_new"
    label = "Continue as new"
    category = "orchestration"
    icon = "rotate-cw"
    color = "#0f766e"
    description = "Starts a fresh run of this workflow carrying its state, to keep history short."
    config = ContinueAsNewConfig
    role = Role.TERMINAL
    template = "continue_as_new.jinja"
    outputs = ()
    not_allowed_in = frozenset({"signal", "update", "branch"})
    not_allowed_reason = (
        "continue-as-new ends the run, which only the main flow can do; put it in the main "
        "flow (a condition on continue_as_new_suggested is a good guard)"
    )
    carries_state = True

    def prepare(self, config: ContinueAsNewConfig, ctx: NodeRender) -> dict[str, object]:
        return {"resume_field": ctx.workflow.resume_field}


KIND = ContinueAsNewKind()

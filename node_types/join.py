"""`join`: where the branches of a `parallel` meet again."""

from __future__ import annotations

from node_types.base import Config, NodeType, Role


class JoinConfig(Config):
    pass


class JoinKind(NodeType[JoinConfig]):
    kind = "join"
    label = "Join"
    category = "branching"
    icon = "merge"
    color = "#059669"
    description = "Where the branches of a Parallel meet; what follows runs after them."
    config = JoinConfig
    role = Role.JOIN
    template = "join.jinja"
    instant = True


KIND = JoinKind()

"""`parallel`: run every branch at once; the branches meet again at a `join`.

`all` waits for every branch and cancels the rest as soon as one fails; `any` finishes with the
first branch that succeeds (failing only when all of them fail); `race` finishes with the first
branch to finish, success or failure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from language.names import snake
from node_types.base import Config, NodeType, Port, Role
from node_types.context import NodeRender


class ParallelConfig(Config):
    mode: Literal["all", "any", "race"] = Field(
        default="all",
        description="all: every branch, fail fast; any: first success; race: first to finish",
    )


class ParallelKind(NodeType[ParallelConfig]):
    kind = "parallel"
    label = "Parallel"
    category = "branching"
    icon = "split"
    color = "#059669"
    description = "Runs several branches at the same time; they meet at a Join."
    config = ParallelConfig
    role = Role.PARALLEL
    template = "parallel.jinja"
    outputs = (Port("branch", "branch", multiple=True),)
    defaults = {"mode": "all"}

    def prepare(self, config: ParallelConfig, ctx: NodeRender) -> dict[str, object]:
        heads = ctx.arm_heads("branch")
        functions = [
            (ctx.claim_local(snake(head.id, "branch") if head else "branch"), body)
            for head, body in zip(heads, ctx.bodies("branch"), strict=True)
        ]
        ctx.imports.add("asyncio")
        return {
            "mode": config.mode,
            "functions": functions,
            "tasks": ctx.claim_local("tasks"),
            "settle": ctx.settles(),
        }


KIND = ParallelKind()

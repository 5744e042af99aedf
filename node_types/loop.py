"""`loop`: repeat steps while a condition holds, or once per item of a list.

A for-each may run its items concurrently, at most `concurrency` at a time (a semaphore), so
a long list never turns into an unbounded fan-out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field, model_validator

from language.diagnostics import Codes
from language.names import names_in
from node_types.base import (
    Config,
    Expression,
    ExpressionRef,
    NodeType,
    Role,
    unbounded_history,
)
from node_types.context import NodeCheck, NodeRender


class LoopConfig(Config):
    mode: Literal["while", "for_each"] = "for_each"
    condition: Expression | None = Field(default=None, description="while: repeat while true")
    items: Expression | None = Field(default=None, description="for_each: the list to go over")
    concurrency: int = Field(
        default=1, ge=1, le=1000, description="for_each: items in flight at once (1 = in order)"
    )
    max_iterations: int | None = Field(
        default=None, ge=1, description="while: fail the workflow after this many rounds"
    )

    @model_validator(mode="after")
    def fields_for_mode(self) -> LoopConfig:
        if self.mode == "while" and not self.condition:
            raise ValueError("a while loop needs a condition")
        if self.mode == "for_each" and not self.items:
            raise ValueError("a for-each loop needs items")
        if self.mode == "while" and self.concurrency != 1:
            raise ValueError("a while loop runs one round at a time; set concurrency to 1")
        return self


class LoopKind(NodeType[LoopConfig]):
    kind = "loop"
    label = "Loop"
    category = "containers"
    icon = "repeat"
    color = "#4f46e5"
    description = "Repeats its steps while a condition holds, or for each item of a list."
    config = LoopConfig
    role = Role.CONTAINER
    template = "loop.jinja"
    defaults = {"mode": "for_each", "items": "", "concurrency": 1}
    body_context = "loop"
    body_repeats = True
    body_may_not_run = True
    element_of = {"item": "config.items"}

    def without_end(self, config: LoopConfig) -> str | None:
        if config.mode == "while" and config.max_iterations is None:
            return "a while loop in it has no round limit"
        return None

    def body_context_for(self, config: LoopConfig) -> str:
        return "branch" if config.concurrency > 1 else "loop"

    def validate(self, config: LoopConfig, ctx: NodeCheck) -> None:
        if config.mode != "while":
            return
        warning = unbounded_history(
            ctx.workflow.definition,
            ctx.node.id,
            config.max_iterations,
            "this while loop",
            backoff=False,
        )
        if warning is not None:
            ctx.warning(Codes.UNBOUNDED_HISTORY, "max_iterations", warning)

    def expressions(self, config: LoopConfig) -> Iterable[ExpressionRef]:
        if config.mode == "while" and config.condition:
            yield "condition", config.condition, False
        if config.mode == "for_each" and config.items:
            yield "items", config.items, False

    def body_binds(self, config: LoopConfig) -> list[tuple[str, str]]:
        if config.mode == "while":
            return [("iteration", "int")]
        return [("item", "Any"), ("index", "int")]

    def prepare(self, config: LoopConfig, ctx: NodeRender) -> dict[str, object]:
        body = ctx.body("body") or "pass"
        variables: dict[str, object] = {
            "mode": config.mode,
            "body": body,
            "concurrent": config.concurrency > 1,
        }
        if config.mode == "while":
            ctx.imports.add("ApplicationError")
            iteration = ctx.container_name("iteration")
            condition = ctx.expr(config.condition or "")
            variables.update(
                iteration=iteration,
                # the round counter, only where something reads it or a limit needs it
                counts=bool(config.max_iterations) or iteration in names_in(f"{condition}\n{body}"),
                condition=condition,
                max_iterations=config.max_iterations,
                too_many=repr(
                    f"{ctx.node.label or ctx.node.id} ran more than {config.max_iterations} times"[
                        :200
                    ]
                ),
            )
        else:
            variables.update(
                item=ctx.container_name("item"),
                item_type=ctx.body_annotation("item"),
                index=ctx.container_name("index"),
                uses_index=ctx.container_name("index") in names_in(body),
                items=ctx.expr(config.items or ""),
                limit=config.concurrency,
                semaphore=ctx.claim_local("slots"),
                function=ctx.claim_local("body"),
                tasks=ctx.claim_local("tasks"),
                settle=ctx.settles(),
            )
        return variables


KIND = LoopKind()

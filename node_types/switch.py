"""`switch`: the first case whose expression holds is taken, else `default`."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from language.diagnostics import Codes
from node_types.base import Config, Expression, ExpressionRef, NodeType, Port, Role
from node_types.context import NodeCheck, NodeRender


class Case(Config):
    key: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="Names the port `case:<key>`")
    expression: Expression


class SwitchConfig(Config):
    cases: list[Case] = Field(min_length=1)


class SwitchKind(NodeType[SwitchConfig]):
    kind = "switch"
    label = "Switch"
    category = "branching"
    icon = "list-tree"
    color = "#d97706"
    description = "Takes the first case whose expression holds, else the default path."
    config = SwitchConfig
    role = Role.BRANCH
    template = "switch.jinja"
    outputs = (Port("case", "case", prefix=True), Port("default", "default"))
    defaults = {"cases": [{"key": "a", "expression": ""}]}
    instant = True

    def validate(self, config: SwitchConfig, ctx: NodeCheck) -> None:
        seen: set[str] = set()
        for index, case in enumerate(config.cases):
            if case.key in seen:
                ctx.error(
                    Codes.DUPLICATE_NAME,
                    f"cases.{index}.key",
                    f"two cases are keyed {case.key!r}; give each case its own key",
                )
            seen.add(case.key)
        wired = ctx.workflow.wired_ports.get(ctx.node.id, set())
        for handle in sorted(wired):
            if handle.startswith("case:") and handle[5:] not in seen:
                ctx.error(
                    Codes.UNKNOWN_PORT,
                    "cases",
                    f"an edge leaves port {handle!r} but no case is keyed {handle[5:]!r}; "
                    "add the case or reconnect the edge",
                )

    def expressions(self, config: SwitchConfig) -> Iterable[ExpressionRef]:
        for index, case in enumerate(config.cases):
            yield f"cases.{index}.expression", case.expression, False

    def choice_expressions(self, config: SwitchConfig) -> dict[str, str]:
        return {f"case:{case.key}": case.expression for case in config.cases}

    def prepare(self, config: SwitchConfig, ctx: NodeRender) -> dict[str, object]:
        tests = {f"case:{case.key}": ctx.expr(case.expression) for case in config.cases}
        chosen = ctx.patched_choice(tests)
        return {
            "choose": chosen.code if chosen else "",
            "cases": [
                (
                    (chosen.tests if chosen else tests)[f"case:{case.key}"],
                    ctx.body(f"case:{case.key}") or "pass",
                )
                for case in config.cases
            ],
            "default": ctx.body("default"),
            "cases_leave": all(ctx.leaves(f"case:{case.key}") for case in config.cases),
        }


KIND = SwitchKind()

"""`set_state`: assign expressions to state fields or to local names later steps can read."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import Field

from language.diagnostics import Codes
from node_types.base import Config, Expression, ExpressionRef, NodeType, Role
from node_types.context import NodeCheck, NodeRender

_STATE_TARGET = re.compile(r"^state\.([a-z][a-z0-9_]*)$")
_LOCAL_TARGET = re.compile(r"^[a-z][a-z0-9_]*$")


class Assignment(Config):
    target: str = Field(
        min_length=1, description="`state.<field>`, or a new name that later steps can read"
    )
    value: Expression


class SetStateConfig(Config):
    assignments: list[Assignment] = Field(min_length=1)


class SetStateKind(NodeType[SetStateConfig]):
    kind = "set_state"
    label = "Set state"
    category = "steps"
    icon = "pencil"
    color = "#0891b2"
    description = "Assigns values to the workflow's state or to names later steps can read."
    config = SetStateConfig
    role = Role.STEP
    template = "set_state.jinja"
    defaults = {"assignments": [{"target": "state.", "value": ""}]}
    instant = True

    def state_assignments(self, config: SetStateConfig) -> list[tuple[str, str]]:
        return [(assignment.target, assignment.value) for assignment in config.assignments]

    def validate(self, config: SetStateConfig, ctx: NodeCheck) -> None:
        state_fields = {var.name: var.type for var in ctx.workflow.definition.state}
        for index, assignment in enumerate(config.assignments):
            field = f"assignments.{index}.target"
            state_match = _STATE_TARGET.match(assignment.target)
            if state_match and state_match.group(1) in state_fields:
                annotation = ctx.project.annotation(state_fields[state_match.group(1)])
                ctx.assigns(f"assignments.{index}.value", annotation, assignment.target)
            if state_match:
                if state_match.group(1) not in state_fields:
                    ctx.error(
                        Codes.UNKNOWN_NAME,
                        field,
                        f"the workflow has no state field {state_match.group(1)!r}; "
                        "add it to the workflow's state or pick another target",
                    )
            elif not _LOCAL_TARGET.match(assignment.target) or assignment.target in (
                "state",
                "input",
                "payload",
            ):
                ctx.error(
                    Codes.BAD_EXPRESSION,
                    field,
                    f"{assignment.target!r} is not a target; "
                    "write state.<field> or a lowercase name",
                )

    def expressions(self, config: SetStateConfig) -> Iterable[ExpressionRef]:
        for index, assignment in enumerate(config.assignments):
            yield f"assignments.{index}.value", assignment.value, False

    def binds(self, config: SetStateConfig, ctx: NodeCheck | NodeRender) -> list[tuple[str, str]]:
        return [(a.target, "Any") for a in config.assignments if _LOCAL_TARGET.match(a.target)]

    def typed_by(self, config: SetStateConfig) -> dict[str, str]:
        """Each local takes the type of the last value assigned to it."""
        return {
            assignment.target: f"assignments.{index}.value"
            for index, assignment in enumerate(config.assignments)
            if _LOCAL_TARGET.match(assignment.target)
        }

    def bind_field(self, config: SetStateConfig, name: str) -> str:
        """The first assignment that sets the local `name`."""
        for index, assignment in enumerate(config.assignments):
            if assignment.target == name:
                return f"assignments.{index}.target"
        return "assignments"

    def names_within(self, config: SetStateConfig) -> dict[str, list[str]]:
        visible: dict[str, list[str]] = {}
        earlier: list[str] = []
        for index, assignment in enumerate(config.assignments):
            visible[f"config.assignments.{index}.value"] = list(earlier)
            if _LOCAL_TARGET.match(assignment.target):
                earlier.append(assignment.target)
        return visible

    def prepare(self, config: SetStateConfig, ctx: NodeRender) -> dict[str, object]:
        lines: list[tuple[str, str]] = []
        for assignment in config.assignments:
            value = ctx.expr(assignment.value)
            if _LOCAL_TARGET.match(assignment.target):
                # later assignments of this node read the local this one sets
                ctx = ctx.with_mapping(
                    {assignment.target: ctx.renderer.result_code(assignment.target)}
                )
            state_match = _STATE_TARGET.match(assignment.target)
            if state_match:
                lines.append((f"self._state.{state_match.group(1)}", value))
            else:
                name = ctx.result_name(assignment.target)
                if name:
                    lines.append((name, value))
                # a local nobody reads is dropped: expressions have no side effects
        return {"lines": lines}


KIND = SetStateKind()

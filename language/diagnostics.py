"""Diagnostics are data: every user mistake becomes one, collected with all the others."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Literal


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class AddNode:
    """Add a node of kind `type` to the workflow the diagnostic is in."""

    type: str
    title: str
    """What the fix does, in a few words: the editor's Fix button says it."""
    kind: Literal["add_node"] = "add_node"


@dataclass(frozen=True)
class SetField:
    """Set `field` (a path, as the diagnostic's) of `node` to `value`; without a node, the
    field is a path into the project document (`activities.0.defaults.heartbeat_timeout`)."""

    node: str | None
    field: str
    value: Any
    title: str
    kind: Literal["set_field"] = "set_field"


@dataclass(frozen=True)
class RemoveField:
    """Take `field` (a path, as the diagnostic's) out of `node`."""

    node: str
    field: str
    title: str
    kind: Literal["remove_field"] = "remove_field"


Fix = AddNode | SetField | RemoveField
"""A quick fix: an edit so mechanical that the editor can make it with one click."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    code: str
    message: str
    severity: Severity = Severity.ERROR
    workflow_id: str | None = None
    node_id: str | None = None
    edge_id: str | None = None
    field: str | None = None
    # How a person names what the ids and the path point at (`language.naming`), and a fix
    # where one is mechanical: filled in once every check has run, from the document.
    node_name: str | None = dataclasses.field(default=None, compare=False)
    """The node by its label (`Fetch thing`), with its id where labels repeat or are empty."""
    edge_name: str | None = dataclasses.field(default=None, compare=False)
    """The edge by the nodes it joins (`Check → Done`)."""
    field_name: str | None = dataclasses.field(default=None, compare=False)
    """The field by its title (`Retry › Maximum attempts`)."""
    fix: Fix | None = dataclasses.field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def where(self) -> str:
        """The workflow, the node (by name and id) or edge, and the field, for the command
        line: `orders › Fetch thing (a) › Activity`."""
        parts = [self.workflow_id] if self.workflow_id else []
        if self.edge_id:
            parts.append(_named(self.edge_name, self.edge_id))
        elif self.node_id:
            parts.append(_named(self.node_name, self.node_id))
        if self.field:
            parts.append(self.field_name or self.field)
        return " › ".join(parts) or "project"

    def format(self) -> str:
        return f"{self.where()}: {self.message} [{self.code}]"


def _named(name: str | None, identifier: str) -> str:
    if not name or name == identifier or name.endswith(f"({identifier})"):
        return name or identifier
    return f"{name} ({identifier})"


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


class Codes:
    """Stable diagnostic codes. Tests hold one case per code."""

    INVALID_JSON = "E001"
    SCHEMA = "E002"
    UNKNOWN_KIND = "E100"
    BAD_CONFIG = "E101"
    DUPLICATE_NODE_ID = "E102"
    DUPLICATE_EDGE_ID = "E103"
    DANGLING_EDGE = "E104"
    UNKNOWN_PORT = "E105"
    PORT_USED_TWICE = "E106"
    MISSING_START = "E107"
    DUPLICATE_START = "E108"
    UNREACHABLE = "E109"
    CYCLE = "E110"
    UNSTRUCTURED = "E111"
    BAD_PARENT = "E112"
    CONTAINER_ENTRY = "E113"
    EDGE_CROSSES_CONTAINER = "E114"
    NOT_ALLOWED_HERE = "E115"
    NO_INPUT_PORT = "E116"
    UNMATCHED_PARALLEL = "E117"
    DUPLICATE_HANDLER = "E118"
    DUPLICATE_WORKFLOW = "E119"
    MISSING_RETURN = "E120"
    NOT_COLLAPSIBLE = "E121"
    """A collapsed id in the workflow's `ui` that names no container (a warning)."""
    BAD_EXPRESSION = "E200"
    UNKNOWN_NAME = "E201"
    BAD_TYPE = "E202"
    UNKNOWN_TYPE = "E203"
    UNKNOWN_ACTIVITY = "E204"
    UNKNOWN_WORKFLOW = "E205"
    BAD_DURATION = "E206"
    DUPLICATE_RESULT = "E207"
    BAD_ARGUMENT = "E208"
    DUPLICATE_ACTIVITY = "E209"
    BAD_TEMPLATE = "E210"
    WAIT_IN_HANDLER = "E211"
    DUPLICATE_NAME = "E212"
    BAD_DEFAULT = "E213"
    ENDLESS_RETRIES = "E214"
    FAILS_WORKFLOW = "E215"
    INPUT_TAKES_CONTROL = "E216"
    NO_HEARTBEAT = "E217"
    UNBOUNDED_HISTORY = "E218"
    INCOMPATIBLE = "E219"
    """A change `--compatible-with` cannot guard with a patch."""
    INTERNAL = "E900"

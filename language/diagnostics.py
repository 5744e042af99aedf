"""Diagnostics are data: every user mistake becomes one, collected with all the others."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    code: str
    message: str
    severity: Severity = Severity.ERROR
    workflow_id: str | None = None
    node_id: str | None = None
    edge_id: str | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format(self) -> str:
        where = self.node_id or self.edge_id or self.workflow_id or "project"
        if self.workflow_id and (self.node_id or self.edge_id):
            where = f"{self.workflow_id}/{where}"
        field = f" [{self.field}]" if self.field else ""
        return f"{where}: {self.code}{field}: {self.message}"


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

"""Stage 1: parse and validate a document into the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from language.diagnostics import Codes, Diagnostic
from language.document import Project


def location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def load_project(
    source: str | bytes | dict[str, Any] | Project,
) -> tuple[Project | None, list[Diagnostic]]:
    """The project, or None and the diagnostics that explain why it cannot be read."""
    if isinstance(source, Project):
        return source, []
    if isinstance(source, str | bytes):
        try:
            source = json.loads(source, parse_constant=_reject_constant)
        except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, NaN and the like
            return None, [
                Diagnostic(Codes.INVALID_JSON, f"the document is not valid JSON: {error}")
            ]
    if not isinstance(source, dict):
        return None, [Diagnostic(Codes.SCHEMA, "the document must be a JSON object")]
    try:
        return Project.model_validate(source), []
    except ValidationError as error:
        return None, [schema_diagnostic(source, item) for item in error.errors()]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; use a finite number")


def schema_diagnostic(source: dict[str, Any], item: Any) -> Diagnostic:
    """A pydantic error as a diagnostic, naming the workflow and node it sits in."""
    loc: tuple[int | str, ...] = tuple(item["loc"])
    workflow_id = node_id = edge_id = None
    field = location(loc)
    if len(loc) >= 2 and loc[0] == "workflows" and isinstance(loc[1], int):
        workflow = _index(source.get("workflows"), loc[1])
        workflow_id = _text(workflow.get("id")) if workflow else None
        if len(loc) >= 4 and loc[2] in ("nodes", "edges") and isinstance(loc[3], int) and workflow:
            element = _index(workflow.get(loc[2]), loc[3])
            element_id = _text(element.get("id")) if element else None
            if loc[2] == "nodes":
                node_id = element_id
            else:
                edge_id = element_id
            field = location(loc[4:]) or location(loc)
    message = item["msg"]
    if item["type"] == "extra_forbidden" and loc:
        message = f"unknown field {loc[-1]!r}; remove it (schema_version 1 does not have it)"
    elif item["type"] == "missing" and loc:
        message = f"the field {loc[-1]!r} is required"
    elif item["type"] == "too_long" and loc and loc[-1] in ("nodes", "edges"):
        limit = item.get("ctx", {}).get("max_length")
        message = (
            f"a workflow holds at most {limit} {loc[-1]} (this one has "
            f"{item.get('ctx', {}).get('actual_length')}); move parts of it into child workflows"
        )
    return Diagnostic(
        Codes.SCHEMA,
        message,
        workflow_id=workflow_id,
        node_id=node_id,
        edge_id=edge_id,
        field=field,
    )


def _index(items: Any, index: int) -> dict[str, Any] | None:
    if isinstance(items, list) and 0 <= index < len(items):
        item = items[index]
        if isinstance(item, dict):
            return item
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None

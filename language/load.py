"""Stage 1: parse and validate a document into the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from language.diagnostics import Codes, Diagnostic
from language.document import Project
from language.naming import DocumentNames
from language.wording import pydantic_message


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
        names = DocumentNames(source)
        return None, [schema_diagnostic(source, item, names) for item in error.errors()]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; use a finite number")


def schema_diagnostic(
    source: dict[str, Any], item: Any, names: DocumentNames | None = None
) -> Diagnostic:
    """A pydantic error as a diagnostic in the product's words, naming the workflow and the
    node or edge it sits in (by id, and as a person names them)."""
    loc = _without_tags(source, tuple(item["loc"]))
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
    if item["type"] == "extra_forbidden" and loc:
        message = f"unknown field {loc[-1]!r}; remove it (schema_version 1 does not have it)"
    elif item["type"] == "too_long" and loc and loc[-1] in ("nodes", "edges"):
        limit = item.get("ctx", {}).get("max_length")
        message = (
            f"a workflow holds at most {limit} {loc[-1]} (this one has "
            f"{item.get('ctx', {}).get('actual_length')}); move parts of it into child workflows"
        )
    else:
        message = pydantic_message(item)
    names = names or DocumentNames(source)
    return Diagnostic(
        Codes.SCHEMA,
        message,
        workflow_id=workflow_id,
        node_id=node_id,
        edge_id=edge_id,
        field=field,
        node_name=names.node(workflow_id, node_id),
        edge_name=names.edge(workflow_id, edge_id),
        field_name=names.field(workflow_id, node_id, edge_id, field),
    )


def _without_tags(source: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """The path of an error inside a tagged union (an implementation) without the tag pydantic
    puts in it (`implementation.http.url` is `implementation.url` in the document)."""
    kept: list[int | str] = []
    data = source
    for part in loc:
        if isinstance(data, dict) and part not in data and data.get("kind") == part:
            continue
        kept.append(part)
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            data = None
    return tuple(kept)


def _index(items: Any, index: int) -> dict[str, Any] | None:
    if isinstance(items, list) and 0 <= index < len(items):
        item = items[index]
        if isinstance(item, dict):
            return item
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None

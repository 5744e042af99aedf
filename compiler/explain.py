"""Diagnostics made for people, once every check has run: the node named by its label, the
field by its title, and a quick fix where the fix is mechanical.

The checks say what is wrong with ids and paths; this stage adds the names (`language.naming`)
and, from one table keyed by code, the fix the editor's Fix button applies.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any

from language.diagnostics import AddNode, Codes, Diagnostic, Fix, RemoveField, SetField
from language.document import DEFAULT_MAXIMUM_ATTEMPTS, Project
from language.naming import DocumentNames, child, humanize, resolve
from node_types import REGISTRY

HEARTBEAT = "1m"
"""The heartbeat timeout a fix gives a long call: the advice E217 gives."""


def explain(diagnostics: list[Diagnostic], project: Project) -> list[Diagnostic]:
    names = DocumentNames(project, kind_label=_kind_label, config_schema=config_schema)
    return [_explained(diagnostic, names, project) for diagnostic in diagnostics]


def _explained(found: Diagnostic, names: DocumentNames, project: Project) -> Diagnostic:
    quick_fix = QUICK_FIXES.get(found.code)
    return dataclasses.replace(
        found,
        node_name=found.node_name or names.node(found.workflow_id, found.node_id),
        edge_name=found.edge_name or names.edge(found.workflow_id, found.edge_id),
        field_name=found.field_name
        or names.field(found.workflow_id, found.node_id, found.edge_id, found.field),
        fix=found.fix or (quick_fix(found, project) if quick_fix else None),
    )


def _kind_label(kind: str) -> str:
    known = REGISTRY.get(kind)
    return known.label if known is not None else humanize(kind)


@functools.cache
def config_schema(kind: str) -> Mapping[str, Any] | None:
    """The JSON Schema of a kind's config, as the catalogue serves it."""
    known = REGISTRY.get(kind)
    return known.config.model_json_schema() if known is not None else None


def _node(project: Project, workflow_id: str | None, node_id: str | None) -> Any:
    for workflow in project.workflows:
        if workflow.id == workflow_id:
            return next((node for node in workflow.nodes if node.id == node_id), None)
    return None


def _add_start(found: Diagnostic, project: Project) -> Fix:
    start = next(kind for kind in REGISTRY.values() if kind.starts_run)
    return AddNode(type=start.kind, title=f"Add a {start.label} node")


def _bound_retries(found: Diagnostic, project: Project) -> Fix | None:
    """The call's retry policy (its own, else its catalogue entry's) with the default bound."""
    node = _node(project, found.workflow_id, found.node_id)
    if node is None:
        return None
    policy = node.config.get("retry")
    if not isinstance(policy, dict):
        activity = next(
            (a for a in project.activities if a.name == node.config.get("activity")), None
        )
        catalogue = activity.defaults.retry if activity is not None else None
        policy = catalogue.model_dump(mode="json") if catalogue is not None else {}
    return SetField(
        node=node.id,
        field="config.retry",
        value={**policy, "maximum_attempts": DEFAULT_MAXIMUM_ATTEMPTS},
        title=f"Give up after {DEFAULT_MAXIMUM_ATTEMPTS} attempts",
    )


def _heartbeat(found: Diagnostic, project: Project) -> Fix | None:
    if found.field is None:
        return None
    return SetField(
        node=found.node_id,
        field=found.field,
        value=HEARTBEAT,
        title=f"Set a heartbeat timeout of {HEARTBEAT}",
    )


def _remove_unknown_setting(found: Diagnostic, project: Project) -> Fix | None:
    """A setting the kind's schema does not have (at the top or inside a group or a list of
    settings), written in the node: take it out."""
    node = _node(project, found.workflow_id, found.node_id)
    if node is None or found.field is None or not found.field.startswith("config."):
        return None
    parts = found.field.removeprefix("config.").split(".")
    schema = config_schema(node.type)
    if schema is None:
        return None
    current: Mapping[str, Any] = schema
    data: Any = node.config
    for part in parts[:-1]:
        current = resolve(current, schema, data)
        items = current.get("items")
        if part.isdigit() and isinstance(items, Mapping):
            current = items
        else:
            current = current.get("properties", {}).get(part, {})
        data = child(data, part)
    current = resolve(current, schema, data)
    name = parts[-1]
    unknown = current.get("additionalProperties") is False and name not in current.get(
        "properties", {}
    )
    if not unknown or not isinstance(data, dict) or name not in data:
        return None
    return RemoveField(node=node.id, field=found.field, title=f"Remove {name!r}")


QUICK_FIXES: dict[str, Callable[[Diagnostic, Project], Fix | None]] = {
    Codes.MISSING_START: _add_start,
    Codes.ENDLESS_RETRIES: _bound_retries,
    Codes.NO_HEARTBEAT: _heartbeat,
    Codes.BAD_CONFIG: _remove_unknown_setting,
}
"""Codes whose fix is mechanical: the edit that makes the diagnostic go away, where one edit
does and says what the user meant (a bound on retries, a heartbeat, a stray setting gone)."""

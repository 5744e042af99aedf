"""How a person names the parts of a document: a node by its label, a field by its title.

The diagnostics keep ids and paths (the editor finds the node and the field by them); these
names are what the command line and the Problems panel show beside the message: `Fetch thing ›
Activity`, not `a [config.activity]`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from language.document import Edge, Node, Project, Workflow

SEPARATOR = " › "

NODE_FIELDS = {"parent_id": "Container", "type": "Kind", "source_handle": "Port"}
"""A node's and an edge's own fields where the document's word is not the editor's."""

ConfigSchema = Callable[[str], Mapping[str, Any] | None]
"""The JSON Schema of a node kind's config, by kind; None for a kind it does not know."""


def humanize(key: str) -> str:
    """A field's name as the editor's form labels it: `start_to_close_timeout` is
    `Start to close timeout`."""
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _title(schema: Mapping[str, Any], key: str) -> str:
    """A property's JSON Schema title where someone wrote one; pydantic's made-up title
    (`Start To Close Timeout`) reads as the form's label instead."""
    title = schema.get("title")
    made_up = {key.replace("_", " ").title(), key.title().replace("_", " ")}
    if isinstance(title, str) and title and title not in made_up:
        return title
    return humanize(key)


def child(data: Any, part: str) -> Any:
    """One step into a document, raw (JSON) or read (pydantic models)."""
    if isinstance(data, Mapping):
        return data.get(part)
    if isinstance(data, list | tuple):
        return data[int(part)] if part.isdigit() and int(part) < len(data) else None
    if isinstance(data, BaseModel):
        return getattr(data, part, None) if part in type(data).model_fields else None
    return None


def _item_name(item: Any, index: int) -> str:
    """A list item by its name (a state field's, an activity's, a case's key), else its place."""
    for key in ("name", "key", "id", "target"):
        value = child(item, key)
        if isinstance(value, str) and value:
            return value
    return f"#{index + 1}"


def resolve(schema: Mapping[str, Any], root: Mapping[str, Any], data: Any) -> Mapping[str, Any]:
    """A schema with its `$ref` followed, a nullable `anyOf` unwrapped and, of a tagged union
    (an activity's implementation), the branch the data's `kind` picks."""
    for _ in range(10):
        reference = schema.get("$ref")
        if isinstance(reference, str):
            schema = root.get("$defs", {}).get(reference.rsplit("/", 1)[-1], {})
            continue
        branches = [
            resolve(branch, root, data)
            for branch in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]
            if branch.get("type") != "null"
        ]
        if len(branches) > 1:
            kind = child(data, "kind")
            branches = [
                b for b in branches if b.get("properties", {}).get("kind", {}).get("const") == kind
            ]
        if len(branches) == 1:
            schema = branches[0]
            continue
        break
    return schema


def field_name(path: str, schema: Mapping[str, Any] | None, data: Any) -> str:
    """A field path (`retry.maximum_attempts`) in people's words (`Retry › Maximum attempts`):
    each property by its title, an entry of a dictionary by its key, an item of a list by its
    name or its place; past what the schema knows (or without one), the path as written."""
    root: Mapping[str, Any] = schema or {}
    current: Mapping[str, Any] | None = schema
    names: list[str] = []
    for part in path.split(".") if path else []:
        if current is None:  # past the schema: the document's own words
            names.append(_item_name(child(data, part), int(part)) if part.isdigit() else part)
            data = child(data, part)
            continue
        current = resolve(current, root, data)
        properties = current.get("properties", {})
        extra, items = current.get("additionalProperties"), current.get("items")
        if part in properties:
            names.append(_title(properties[part], part))
            current = properties[part]
        elif isinstance(items, Mapping) and part.isdigit():
            names.append(_item_name(child(data, part), int(part)))
            current = items
        elif isinstance(extra, Mapping):
            names.append(part)  # a key the user chose: an argument's, a type's, a field's
            current = extra
        else:
            names.append(part)  # a field the schema does not have: as it is written
            current = None
        data = child(data, part)
    return SEPARATOR.join(names)


@functools.cache
def _document_schema(model: type[BaseModel]) -> Mapping[str, Any]:
    return model.model_json_schema()


def project_field_name(path: str, project: Any) -> str:
    return field_name(path, _document_schema(Project), project)


def workflow_field_name(path: str, workflow: Any) -> str:
    return field_name(path, _document_schema(Workflow), workflow)


class DocumentNames:
    """The names of one document's nodes and edges: a node by its label, with its id beside
    where the label repeats in its workflow or is empty (then the kind stands for the label)."""

    def __init__(
        self,
        document: Any,
        kind_label: Callable[[str], str] = humanize,
        config_schema: ConfigSchema = lambda kind: None,
    ) -> None:
        self.document = document
        self.kind_label = kind_label
        self.config_schema = config_schema
        self._workflows: dict[str, Any] = {}
        self._names: dict[str, dict[str, tuple[str, str, Any]]] = {}
        self._elements: dict[tuple[str, str], dict[str, Any]] = {}
        workflows = child(document, "workflows")
        for workflow in workflows if isinstance(workflows, list) else ():
            workflow_id = child(workflow, "id")
            if isinstance(workflow_id, str):
                self._workflows.setdefault(workflow_id, workflow)

    def _nodes(self, workflow_id: str) -> dict[str, tuple[str, str, Any]]:
        """node id -> (its name, its kind, its config), worked out once per workflow."""
        if workflow_id in self._names:
            return self._names[workflow_id]
        found = self._names[workflow_id] = {}
        nodes = child(self._workflows.get(workflow_id), "nodes")
        read = (
            [n for n in nodes if isinstance(n, Mapping | Node)] if isinstance(nodes, list) else []
        )
        labels = Counter(_text(child(node, "label")).strip() for node in read)
        for node in read:
            node_id, kind = _text(child(node, "id")), _text(child(node, "type"))
            if not node_id or node_id in found:
                continue
            label = _text(child(node, "label")).strip()
            if not label:
                name = f"{self.kind_label(kind) if kind else 'Node'} ({node_id})"
            elif labels[label] > 1:
                name = f"{label} ({node_id})"
            else:
                name = label
            found[node_id] = (name, kind, child(node, "config"))
        return found

    def node(self, workflow_id: str | None, node_id: str | None) -> str | None:
        if workflow_id is None or node_id is None:
            return None
        known = self._nodes(workflow_id).get(node_id)
        return known[0] if known else None

    def edge(self, workflow_id: str | None, edge_id: str | None) -> str | None:
        """`Check → Done`: an edge by the nodes it joins (an end that is missing, by its id)."""
        if workflow_id is None or edge_id is None:
            return None
        edge = self._element(workflow_id, "edges", edge_id)
        if edge is None:
            return None
        ends = [_text(child(edge, end)) for end in ("source", "target")]
        return " → ".join(self.node(workflow_id, end) or end for end in ends)

    def field(
        self, workflow_id: str | None, node_id: str | None, edge_id: str | None, path: str | None
    ) -> str | None:
        """The field of a diagnostic in people's words: a node's config field by the title its
        kind's schema gives it, a document field by the document schema's."""
        if not path:
            return None
        if path.startswith("workflows.") or workflow_id is None:
            return project_field_name(path, self.document)
        if node_id is not None:
            known = self._nodes(workflow_id).get(node_id)
            if path == "config" or path.startswith("config."):
                schema = self.config_schema(known[1]) if known else None
                inner = path.removeprefix("config").removeprefix(".")
                config = known[2] if known else None
                return field_name(inner, schema, config) if inner else "Settings"
            return NODE_FIELDS.get(path) or field_name(
                path, _document_schema(Node), self._element(workflow_id, "nodes", node_id)
            )
        if edge_id is not None:
            return NODE_FIELDS.get(path) or field_name(
                path, _document_schema(Edge), self._element(workflow_id, "edges", edge_id)
            )
        return workflow_field_name(path, self._workflows.get(workflow_id))

    def _element(self, workflow_id: str, which: str, element_id: str) -> Any:
        """A node or an edge of a workflow, by id (the first of that id), indexed once."""
        key = (workflow_id, which)
        if key not in self._elements:
            elements = child(self._workflows.get(workflow_id), which)
            index: dict[str, Any] = {}
            for element in elements if isinstance(elements, list) else ():
                index.setdefault(_text(child(element, "id")), element)
            self._elements[key] = index
        return self._elements[key].get(element_id)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""

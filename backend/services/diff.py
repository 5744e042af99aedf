"""The difference between two workflow documents in what they mean.

Layout is left out (a node's position and size, the containers shown collapsed), and so is
what only differs in how it is written: a config field left out against the same field empty
(`""`, null, `[]`, `{}`) or written as its default.
"""

from __future__ import annotations

import json
from typing import Any

from backend.models import DiffPublic, EdgeRef, FieldChange, NodeChange, NodeRef
from language.document import Edge, Node, Workflow
from node_types import REGISTRY


def diff_workflows(before: Workflow, after: Workflow, from_label: str, to_label: str) -> DiffPublic:
    old_nodes = _by_id(before.nodes)
    new_nodes = _by_id(after.nodes)
    changed = []
    for node_id, node in new_nodes.items():
        if node_id in old_nodes:
            changes = field_changes(_meaning(old_nodes[node_id]), _meaning(node))
            if changes:
                changed.append(NodeChange(**_node_ref(node).model_dump(), changes=changes))
    old_edges = {_connection(e): e for e in before.edges}
    new_edges = {_connection(e): e for e in after.edges}
    # the editor's view (collapsed containers) changes nothing a version means
    outside = {"nodes", "edges", "ui"}
    return DiffPublic(
        from_version=from_label,
        to_version=to_label,
        workflow_changes=field_changes(
            before.model_dump(mode="json", exclude=outside),
            after.model_dump(mode="json", exclude=outside),
        ),
        nodes_added=[_node_ref(n) for i, n in new_nodes.items() if i not in old_nodes],
        nodes_removed=[_node_ref(n) for i, n in old_nodes.items() if i not in new_nodes],
        nodes_changed=changed,
        edges_added=[_edge_ref(e) for key, e in new_edges.items() if key not in old_edges],
        edges_removed=[_edge_ref(e) for key, e in old_edges.items() if key not in new_edges],
    )


def field_changes(before: Any, after: Any, path: str = "") -> list[FieldChange]:
    """Changed leaves as dotted paths; a dict whose keys only moved is reported whole."""
    if _same(before, after):
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[FieldChange] = []
        for key in [*before, *(k for k in after if k not in before)]:
            found += field_changes(
                before.get(key), after.get(key), f"{path}.{key}" if path else key
            )
        if found:
            return found
    return [FieldChange(field=path, before=before, after=after)]


_LAYOUT = {"id", "position", "size"}


def _meaning(node: Node) -> dict[str, Any]:
    """The node without where it is drawn, its config without empty fields and without the
    fields written as their default."""
    meaning = node.model_dump(mode="json", exclude=_LAYOUT)
    kind = REGISTRY.get(node.type)
    if kind is not None:
        meaning["config"] = kind.without_defaults(meaning["config"])
    meaning["config"] = _without_empty(meaning["config"])
    return meaning


def _without_empty(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    if not isinstance(value, dict):
        return value
    kept = {key: _without_empty(item) for key, item in value.items()}
    return {key: item for key, item in kept.items() if item not in (None, "", [], {})}


def _same(left: Any, right: Any) -> bool:
    # JSON text, not ==: 1 == 1.0 == True in Python, and the order of fields is meaningful
    return json.dumps(left) == json.dumps(right)


def _by_id(nodes: list[Node]) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for node in nodes:
        found.setdefault(node.id, node)
    return found


def _connection(edge: Edge) -> tuple[str, str, str, str]:
    """Edges are compared by what they connect; an edge that only got a new id is unchanged."""
    return (edge.source, edge.source_handle, edge.target, edge.target_handle)


def _node_ref(node: Node) -> NodeRef:
    return NodeRef(id=node.id, type=node.type, label=node.label)


def _edge_ref(edge: Edge) -> EdgeRef:
    return EdgeRef(**edge.model_dump())

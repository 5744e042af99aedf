"""A small builder for sample documents: nodes, edges and a tidy layered layout.

Positions follow React Flow's sub-flow model: a child's position is relative to its container,
and a container is sized to hold its children.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

NODE_WIDTH = 220
NODE_HEIGHT = 64
COLUMN_GAP = 40
ROW_GAP = 56
PADDING = 40
HEADER = 40


class WorkflowBuilder:
    """Collects one workflow's nodes and edges; `build()` lays them out."""

    def __init__(
        self,
        workflow_id: str,
        name: str,
        description: str = "",
        *,
        input: dict[str, str] | None = None,
        output: str = "None",
        state: list[dict[str, Any]] | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self.document: dict[str, Any] = {
            "id": workflow_id,
            "name": name,
            "description": description,
            "input": input or {},
            "output": output,
            "state": state or [],
            "settings": settings or {},
            "nodes": [],
            "edges": [],
        }
        self._ids: set[str] = set()

    def node(
        self, node_id: str, kind: str, label: str, parent: str | None = None, **config: Any
    ) -> str:
        if node_id in self._ids:
            raise ValueError(f"node {node_id!r} exists already")
        self._ids.add(node_id)
        node: dict[str, Any] = {"id": node_id, "type": kind, "label": label, "config": config}
        if parent is not None:
            node["parent_id"] = parent
        self.document["nodes"].append(node)
        return node_id

    def edge(self, source: str, target: str, port: str = "out") -> None:
        edge_id = f"{source}-{port}-{target}".replace(":", "-")
        self.document["edges"].append(
            {"id": edge_id, "source": source, "source_handle": port, "target": target}
        )

    def chain(self, *node_ids: str) -> None:
        for source, target in zip(node_ids, node_ids[1:], strict=False):
            self.edge(source, target)

    def build(self) -> dict[str, Any]:
        _layout(self.document["nodes"], self.document["edges"])
        return self.document


def _layout(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    """Layered top-to-bottom layout, scope by scope, innermost containers first."""
    by_id = {node["id"]: node for node in nodes}
    children: dict[str | None, list[str]] = defaultdict(list)
    for node in nodes:
        children[node.get("parent_id")].append(node["id"])
    successors: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        successors[edge["source"]].append(edge["target"])
    sizes: dict[str, tuple[float, float]] = {}

    def depth_of_container(node_id: str | None) -> int:
        depth = 0
        while node_id is not None:
            node_id = by_id[node_id].get("parent_id")
            depth += 1
        return depth

    scopes = sorted(children, key=depth_of_container, reverse=True)
    for scope in scopes:
        members = children[scope]
        member_set = set(members)
        incoming = {m: 0 for m in members}
        for member in members:
            for target in successors[member]:
                if target in member_set:
                    incoming[target] += 1
        # longest-path layering keeps every edge pointing down
        layer = {m: 0 for m in members}
        order = [m for m in members if incoming[m] == 0]
        remaining = dict(incoming)
        index = 0
        while index < len(order):
            current = order[index]
            index += 1
            for target in successors[current]:
                if target not in member_set:
                    continue
                layer[target] = max(layer[target], layer[current] + 1)
                remaining[target] -= 1
                if remaining[target] == 0:
                    order.append(target)
        rows: dict[int, list[str]] = defaultdict(list)
        for member in members:
            rows[layer[member]].append(member)
        y = HEADER + PADDING if scope is not None else 0.0
        widest = 0.0
        for row in sorted(rows):
            x = PADDING if scope is not None else 0.0
            tallest = 0.0
            for member in rows[row]:
                width, height = sizes.get(member, (NODE_WIDTH, NODE_HEIGHT))
                by_id[member]["position"] = {"x": x, "y": y}
                x += width + COLUMN_GAP
                tallest = max(tallest, height)
            widest = max(widest, x - COLUMN_GAP)
            y += tallest + ROW_GAP
        if scope is not None:
            size = (max(widest + PADDING, NODE_WIDTH), y - ROW_GAP + PADDING)
            sizes[scope] = size
            by_id[scope]["size"] = {"width": size[0], "height": size[1]}


def project(
    project_id: str,
    name: str,
    description: str,
    *,
    task_queue: str,
    types: dict[str, Any],
    activities: list[dict[str, Any]],
    workflows: list[WorkflowBuilder],
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": project_id,
        "name": name,
        "description": description,
        "task_queue": task_queue,
        "types": types,
        "activities": activities,
        "workflows": [workflow.build() for workflow in workflows],
    }


def simulated(
    name: str,
    description: str,
    *,
    input: dict[str, str] | None = None,
    output: str = "None",
    result: Any = None,
    delay_seconds: float = 0.0,
    fail_attempts: int = 0,
    fail_when: dict[str, Any] | None = None,
    fail_message: str = "simulated failure",
    fail_when_retryable: bool = False,
    timeout: str = "1m",
    heartbeat: str | None = None,
    retry: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An activity bound to a `simulate` implementation."""
    activity: dict[str, Any] = {
        "name": name,
        "description": description,
        "input": input or {},
        "output": output,
        "implementation": {
            "kind": "simulate",
            "result": result,
            "delay_seconds": delay_seconds,
            "fail_attempts": fail_attempts,
            "fail_when": fail_when or {},
            "fail_message": fail_message,
            **({"fail_when_retryable": True} if fail_when_retryable else {}),
        },
        "defaults": {"start_to_close_timeout": timeout},
    }
    if heartbeat is not None:
        activity["defaults"]["heartbeat_timeout"] = heartbeat
    if retry is not None:
        activity["defaults"]["retry"] = retry
    return activity

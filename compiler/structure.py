"""Stage 3: turn each scope's graph into a tree of blocks.

A branch's arms run until its merge point, the branch node's immediate post-dominator; a
parallel's branches meet at a join. A graph that cannot be written as nested blocks (an arm that
jumps into another arm, a node reached from two places that is not a merge point) becomes an
UNSTRUCTURED diagnostic naming the nodes involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from compiler.check import WorkflowGraph
from compiler.diagnostics import Codes, Diagnostic
from compiler.document import Node
from node_types import REGISTRY
from node_types.base import Role

_EXIT = "\0exit"


@dataclass
class Block:
    node: Node
    arms: list[tuple[str, list[Block]]] = field(default_factory=list)
    """(port, body) for branches, parallels and containers (port `body`)."""
    join: Node | None = None


@dataclass
class Tree:
    graph: WorkflowGraph
    entries: list[Block]


class _Unstructured(Exception):
    def __init__(self, node_id: str, message: str) -> None:
        super().__init__(message)
        self.node_id = node_id


def structure_workflow(graph: WorkflowGraph) -> tuple[Tree | None, list[Diagnostic]]:
    builder = _Builder(graph)
    entries: list[Block] = []
    try:
        for entry in graph.entries:
            node = graph.nodes[entry]
            block = Block(node)
            kind = REGISTRY[node.type]
            if kind.outputs:
                block.arms.append(("out", builder.sequence(None, _next(graph, entry), None)))
            entries.append(block)
    except _Unstructured as error:
        return None, [
            Diagnostic(
                Codes.UNSTRUCTURED,
                str(error),
                workflow_id=graph.info.definition.id,
                node_id=error.node_id,
            )
        ]
    return Tree(graph, entries), []


def _next(graph: WorkflowGraph, node_id: str, port: str = "out") -> str | None:
    for edge in graph.out_edges[node_id]:
        if edge.source_handle == port:
            return edge.target
    return None


class _Builder:
    def __init__(self, graph: WorkflowGraph) -> None:
        self.graph = graph
        self.emitted: dict[str, str] = {}
        self.post_dominators: dict[str | None, dict[str, str]] = {}

    def ipdom(self, parent: str | None, node_id: str) -> str:
        if parent not in self.post_dominators:
            reverse = nx.DiGraph()
            reverse.add_node(_EXIT)
            for member in self.graph.children.get(parent, []):
                reverse.add_node(member)
                targets = self._targets(member)
                for target in targets:
                    reverse.add_edge(target, member)
            self.post_dominators[parent] = nx.immediate_dominators(reverse, _EXIT)
        return self.post_dominators[parent].get(node_id, _EXIT)

    def _targets(self, node_id: str) -> list[str]:
        """Where control can go after a node: its edges' targets, or the exit for open ports.

        End and Fail do not lead to the exit: a path that ends the workflow early must not pull
        the merge point of the branch it leaves down to the end of the scope.
        """
        kind = REGISTRY[self.graph.nodes[node_id].type]
        if kind.role is Role.TERMINAL:
            return []
        edges = self.graph.out_edges[node_id]
        targets = [edge.target for edge in edges]
        wired = {edge.source_handle for edge in edges}
        if kind.role is Role.BRANCH:
            declared = [p.name for p in kind.outputs if not p.prefix]
            if any(port not in wired for port in declared) or not edges:
                targets.append(_EXIT)
        elif not targets:
            targets.append(_EXIT)
        return targets

    def sequence(self, parent: str | None, start: str | None, stop: str | None) -> list[Block]:
        blocks: list[Block] = []
        current = start
        while current is not None and current != stop and current != _EXIT:
            node = self.graph.nodes[current]
            if current in self.emitted:
                raise _Unstructured(
                    current,
                    f"{node.label or current!r} is reached both from {self.emitted[current]!r} "
                    "and from another branch that does not merge first; join the branches "
                    "before it, or duplicate the step",
                )
            self.emitted[current] = self._origin(current)
            role = REGISTRY[node.type].role
            block = Block(node)
            blocks.append(block)
            if role is Role.BRANCH:
                merge = self.ipdom(parent, current)
                for edge in self.graph.out_edges[current]:
                    block.arms.append(
                        (edge.source_handle, self.sequence(parent, edge.target, merge))
                    )
                current = None if merge == _EXIT else merge
            elif role is Role.PARALLEL:
                merge = self.ipdom(parent, current)
                join = self.graph.nodes.get(merge)
                if join is None or join.type != "join":
                    raise _Unstructured(
                        current,
                        f"the branches of {node.label or current!r} must meet at a Join before "
                        "anything else; add a Join and connect every branch to it",
                    )
                for edge in self.graph.out_edges[current]:
                    block.arms.append(("branch", self.sequence(parent, edge.target, merge)))
                self.emitted[merge] = current
                block.join = join
                current = _next(self.graph, merge)
            elif role is Role.JOIN:
                raise _Unstructured(
                    current, f"Join {node.label or current!r} does not close a Parallel; remove it"
                )
            elif role is Role.CONTAINER:
                members = self.graph.children.get(current, [])
                first = [m for m in members if not self.graph.in_edges[m]]
                body = self.sequence(current, first[0], None) if first else []
                block.arms.append(("body", body))
                current = _next(self.graph, current)
            elif role is Role.TERMINAL:
                current = None
            else:
                current = _next(self.graph, current)
        return blocks

    def _origin(self, node_id: str) -> str:
        incoming = self.graph.in_edges[node_id]
        return incoming[0].source if incoming else node_id

"""Stage 3: turn each scope's graph into a tree of blocks.

A branch's arms run until its merge point: of the nodes the branch immediately dominates, the
one most edges lead into (the arms that meet again meet there; arms that end the workflow early
never reach it). A parallel's merge point must be a join. A graph that cannot be written as
nested blocks (an arm that jumps into another arm, a node reached from two places that is not a
merge point) becomes an UNSTRUCTURED diagnostic naming the nodes involved.

A path that simply stops (no edge leaves its last node) while code would follow it in Python
gets an explicit `exit` block, so it ends its scope as the graph says instead of falling through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import networkx as nx

from compiler.check import WorkflowGraph
from language.diagnostics import Codes, Diagnostic
from language.document import Node
from node_types import REGISTRY
from node_types.base import Role


@dataclass
class Block:
    node: Node
    arms: list[tuple[str, list[Block]]] = field(default_factory=list)
    """(port, body) for branches, parallels and containers (port `body`)."""
    join: Node | None = None
    exit: bool = False
    """A synthetic `return` after `node`, where a path stops before its merge point."""


@dataclass
class Tree:
    graph: WorkflowGraph
    entries: list[Block]


class _Unstructured(Exception):
    def __init__(self, node_id: str, message: str, code: str = Codes.UNSTRUCTURED) -> None:
        super().__init__(message)
        self.node_id = node_id
        self.code = code


class Ending(Enum):
    REACHED = "reached"  # control arrives at the stop node
    TERMINATED = "terminated"  # every path ends in End, Fail or an explicit exit
    STOPPED = "stopped"  # the chain ends with no edge out; falls off the scope


def structure_workflow(graph: WorkflowGraph) -> tuple[Tree | None, list[Diagnostic]]:
    builder = _Builder(graph)
    entries: list[Block] = []
    try:
        for entry in graph.entries:
            node = graph.nodes[entry]
            block = Block(node)
            if REGISTRY[node.type].outputs:
                builder.dominators_from(None, entry)
                body, _ending = builder.sequence(_next(graph, entry), None)
                block.arms.append(("out", body))
            entries.append(block)
    except _Unstructured as error:
        return None, [
            Diagnostic(
                error.code,
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
        self.emitted: set[str] = set()
        self.idom: dict[str, str] = {}
        self.dominated: dict[str, list[str]] = {}
        """node id -> the nodes it immediately dominates."""
        self.order: dict[str, int] = {}

    def dominators_from(self, parent: str | None, root: str) -> None:
        """Dominators of one scope (the canvas or a container's inside), from its first node."""
        scope = nx.DiGraph()
        members = self.graph.children.get(parent, [])
        scope.add_nodes_from(members)
        for member in members:
            scope.add_edges_from((e.source, e.target) for e in self.graph.out_edges[member])
        for node_id, dominator in nx.immediate_dominators(scope, root).items():
            if node_id not in self.idom:
                self.idom[node_id] = dominator
                self.dominated.setdefault(dominator, []).append(node_id)
        for index, node_id in enumerate(nx.topological_sort(scope)):
            self.order.setdefault(node_id, index)

    def merge_point(self, branch: str) -> str | None:
        candidates = [
            node_id
            for node_id in self.dominated.get(branch, ())
            if node_id != branch and len(self.graph.in_edges[node_id]) > 1
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda n: (-len(self.graph.in_edges[n]), self.order[n]))

    def sequence(self, start: str | None, stop: str | None) -> tuple[list[Block], Ending]:
        blocks: list[Block] = []
        current = start
        ending = Ending.STOPPED
        while current is not None:
            if current == stop:
                return blocks, Ending.REACHED
            node = self.graph.nodes[current]
            if current in self.emitted:
                raise _Unstructured(
                    current,
                    f"{node.label or current!r} is reached from two paths that do not meet "
                    "before it; join the branches first (or duplicate the step)",
                )
            self.emitted.add(current)
            role = REGISTRY[node.type].role
            block = Block(node)
            blocks.append(block)
            ending = Ending.STOPPED
            if role is Role.BRANCH:
                current, ending = self._branch(block, stop)
            elif role is Role.PARALLEL:
                current = self._parallel(block)
            elif role is Role.JOIN:
                raise _Unstructured(
                    current,
                    f"Join {node.label or current!r} does not close a Parallel; connect the "
                    "Parallel's branches to it, or remove it",
                    Codes.UNMATCHED_PARALLEL,
                )
            elif role is Role.CONTAINER:
                members = self.graph.children.get(current, [])
                first = [m for m in members if not self.graph.in_edges[m]]
                body: list[Block] = []
                if first:
                    self.dominators_from(current, first[0])
                    body, _ending = self.sequence(first[0], None)
                block.arms.append(("body", body))
                wired = {edge.source_handle for edge in self.graph.out_edges[current]}
                if wired - {"out"}:
                    # a container whose failure path is wired branches like a condition
                    current, ending = self._branch(block, stop)
                else:
                    current = _next(self.graph, current)
            elif role is Role.TERMINAL:
                current = None
                ending = Ending.TERMINATED
            else:
                current = _next(self.graph, current)
        return blocks, ending

    def _branch(self, block: Block, stop: str | None) -> tuple[str | None, Ending]:
        branch = block.node.id
        merge = self.merge_point(branch)
        arm_stop = merge if merge is not None else stop
        reached = False
        for edge in self.graph.out_edges[branch]:
            body, ending = self.sequence(edge.target, arm_stop)
            if ending is Ending.STOPPED and arm_stop is not None:
                # the graph ends this path here; without a return Python would run on
                body.append(Block(body[-1].node if body else block.node, exit=True))
                ending = Ending.TERMINATED
            reached = reached or ending is Ending.REACHED
            block.arms.append((edge.source_handle, body))
        kind = REGISTRY[block.node.type]
        wired = {edge.source_handle for edge in self.graph.out_edges[branch]}
        open_ports = kind.open_ports(self.graph.configs[branch], wired)
        if open_ports and arm_stop is not None:
            # an unwired port also ends the path, so give it an explicit exit too
            for port in open_ports:
                block.arms.append((port, [Block(block.node, exit=True)]))
        elif open_ports:
            reached = True
        if merge is not None:
            return merge, Ending.STOPPED
        return None, Ending.REACHED if reached else Ending.TERMINATED

    def matching_join(self, parallel: str) -> str | None:
        """The Join closing a Parallel, found like a closing bracket: walking forward from its
        branches, nested Parallel/Join pairs are skipped. None when every branch ends (Fail,
        End) before meeting one."""
        found: set[str] = set()
        seen: set[tuple[str, int]] = set()
        stack = [(edge.target, 0) for edge in self.graph.out_edges[parallel]]
        while stack:
            current, depth = stack.pop()
            if (current, depth) in seen:
                continue
            seen.add((current, depth))
            role = REGISTRY[self.graph.nodes[current].type].role
            if role is Role.JOIN:
                if depth == 0:
                    found.add(current)
                    continue
                depth -= 1
            elif role is Role.PARALLEL:
                depth += 1
            stack.extend((edge.target, depth) for edge in self.graph.out_edges[current])
        if len(found) > 1:
            names = ", ".join(repr(join) for join in sorted(found))
            raise _Unstructured(
                parallel,
                f"the branches of {self.graph.nodes[parallel].label or parallel!r} end at "
                f"different Joins ({names}); connect every branch to one Join",
                Codes.UNMATCHED_PARALLEL,
            )
        return next(iter(found), None)

    def _parallel(self, block: Block) -> str | None:
        node = block.node
        join_id = self.matching_join(node.id)
        if join_id is None and any(
            self._reaches_exit(edge.target) for edge in self.graph.out_edges[node.id]
        ):
            raise _Unstructured(
                node.id,
                f"the branches of {node.label or node.id!r} must meet at a Join before "
                "anything else; add a Join and connect every branch to it",
                Codes.UNMATCHED_PARALLEL,
            )
        for edge in self.graph.out_edges[node.id]:
            body, _ending = self.sequence(edge.target, join_id)
            block.arms.append(("branch", body))
        if join_id is None:
            return None
        self.emitted.add(join_id)
        block.join = self.graph.nodes[join_id]
        return _next(self.graph, join_id)

    def _reaches_exit(self, start: str) -> bool:
        """Whether some path from `start` stops without End or Fail (it would fall off)."""
        stack, seen = [start], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            kind = REGISTRY[self.graph.nodes[current].type]
            edges = self.graph.out_edges[current]
            if kind.role is Role.TERMINAL:
                continue
            wired = {edge.source_handle for edge in edges}
            open_ports = [p for p in kind.outputs if not p.prefix and not p.raises_when_unwired]
            if not edges or any(
                p.name not in wired for p in open_ports if kind.role is Role.BRANCH
            ):
                return True
            stack.extend(edge.target for edge in edges)
        return False


def always_leaves(blocks: list[Block], configs: dict[str, Any]) -> bool:
    """Whether control never runs past these blocks: every path ends (End, Fail, exit...)."""
    if not blocks:
        return False
    last = blocks[-1]
    last_config = configs.get(last.node.id)
    if last.exit:
        return True
    kind = REGISTRY[last.node.type]
    if kind.role is Role.TERMINAL:
        return True
    arms = [(port, arm) for port, arm in last.arms if port != "body"]
    if kind.role is Role.BRANCH or (kind.role is Role.CONTAINER and arms):
        if kind.open_ports(last_config, {port for port, _arm in arms}):
            return False
        return all(always_leaves(arm, configs) for _port, arm in arms)
    return False

// Questions about the editor's nodes and edges that change nothing: what holds what, what is
// selected, what the canvas is drilled into.
import type { XYPosition } from "@xyflow/react";

import { absolutePosition, type FlowEdge, type FlowNode, nodeSize, parentsFirst } from "../../document/mapping";

const openedCache = new WeakMap<FlowNode[], { id: string | null; node: FlowNode | null }>();

/** The container the canvas is drilled into, if it is still in the document (an undo may have
 * taken it away). */
export function openedContainer(state: { nodes: FlowNode[]; opened: string | null }): FlowNode | null {
  if (!state.opened) return null;
  const cached = openedCache.get(state.nodes);
  if (cached && cached.id === state.opened) return cached.node;
  const node = state.nodes.find((n) => n.id === state.opened && n.type === "container") ?? null;
  openedCache.set(state.nodes, { id: state.opened, node });
  return node;
}

/** The containers around `id`, outermost first, then `id` itself. */
export function containerPath(nodes: readonly FlowNode[], id: string): FlowNode[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const path: FlowNode[] = [];
  const seen = new Set<string>();
  for (let node = byId.get(id); node && !seen.has(node.id); node = node.parentId ? byId.get(node.parentId) : undefined) {
    seen.add(node.id);
    path.unshift(node);
  }
  return path;
}

export function selectedNodeIds(state: { nodes: FlowNode[] }): string[] {
  return state.nodes.filter((node) => node.selected).map((node) => node.id);
}

export function deselectEdges(edges: FlowEdge[]): FlowEdge[] {
  return edges.some((edge) => edge.selected)
    ? edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge))
    : edges;
}

/** Whether `point` on the canvas lies within the box of `node`. */
export function holds(node: FlowNode, point: XYPosition, nodes: ReadonlyMap<string, FlowNode>): boolean {
  const at = absolutePosition(node, nodes);
  const size = nodeSize(node);
  return point.x >= at.x && point.x <= at.x + size.width && point.y >= at.y && point.y <= at.y + size.height;
}

/** Whether `id` sits, at any depth, inside one of `containers`. */
export function isInside(id: string, containers: ReadonlySet<string>, nodes: ReadonlyMap<string, FlowNode>): boolean {
  const seen = new Set<string>();
  let parentId = nodes.get(id)?.parentId;
  while (parentId && !seen.has(parentId)) {
    if (containers.has(parentId)) return true;
    seen.add(parentId);
    parentId = nodes.get(parentId)?.parentId;
  }
  return false;
}

export function orderParentsFirst(nodes: FlowNode[]): FlowNode[] {
  const wrapped = nodes.map((node) => ({ id: node.id, parent_id: node.parentId ?? null, node }));
  return parentsFirst(wrapped).map((entry) => entry.node);
}

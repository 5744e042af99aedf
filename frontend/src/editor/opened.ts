// Drilling into a container: the canvas shows the container and what it holds, alone. Nodes
// and edges outside it are hidden (React Flow neither draws nor hit-tests them); the container
// stays where it is, so positions, edits and undo are those of the whole workflow.
import type { FlowEdge, FlowNode } from "../document/mapping";

// one drawn copy per node or edge object, so that React Flow sees unchanged objects unchanged
const hiddenNodes = new WeakMap<FlowNode, FlowNode>();
const frames = new WeakMap<FlowNode, FlowNode>();
const hiddenEdges = new WeakMap<FlowEdge, FlowEdge>();

/** The ids of `id` and of every node it holds, at any depth. */
export function subtree(nodes: readonly FlowNode[], id: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const node of nodes) {
    if (!node.parentId) continue;
    const list = children.get(node.parentId);
    if (list) list.push(node.id);
    else children.set(node.parentId, [node.id]);
  }
  const found = new Set([id]);
  const queue = [id];
  while (queue.length) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (found.has(child)) continue;
      found.add(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * The graph as drawn drilled into `opened`: everything outside it hidden, with the edges that
 * leave it; the container itself kept in place as the frame (it cannot be dragged away).
 */
export function openedView(
  nodes: FlowNode[],
  edges: FlowEdge[],
  opened: string | null,
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  if (!opened) return { nodes, edges };
  const shown = subtree(nodes, opened);
  const drawnNodes = nodes.map((node) => {
    if (node.id === opened) {
      let copy = frames.get(node);
      if (!copy) frames.set(node, (copy = { ...node, draggable: false }));
      return copy;
    }
    if (shown.has(node.id) || node.hidden) return node;
    let copy = hiddenNodes.get(node);
    if (!copy) hiddenNodes.set(node, (copy = { ...node, hidden: true, selected: false }));
    return copy;
  });
  const drawnEdges = edges.map((edge) => {
    if (edge.hidden || (shown.has(edge.source) && shown.has(edge.target))) {
      return edge;
    }
    let copy = hiddenEdges.get(edge);
    if (!copy) hiddenEdges.set(edge, (copy = { ...edge, hidden: true, selected: false }));
    return copy;
  });
  return { nodes: drawnNodes, edges: drawnEdges };
}

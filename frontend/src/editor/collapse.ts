// Collapsed containers: a container folded into one node that tells how many steps it holds.
// What it holds is hidden, and an edge that reaches inside it is drawn to or from the container.
// Which containers are collapsed is saved with the document (its `ui.collapsed`), as an edit the
// store records: it survives a reload and reaches whoever opens the workflow next.
import type { FlowEdge, FlowNode } from "../document/mapping";

/** The size a collapsed container is drawn at: one step's height, room for its label. */
export const COLLAPSED_SIZE = { width: 260, height: 64 };

/** For each node hidden by a collapsed container, the outermost collapsed container holding it. */
export function hiddenBy(nodes: readonly FlowNode[], collapsed: ReadonlySet<string>): Map<string, string> {
  const hidden = new Map<string, string>();
  if (!collapsed.size) return hidden;
  const parentOf = new Map(nodes.map((node) => [node.id, node.parentId]));
  for (const node of nodes) {
    let outermost: string | undefined;
    const seen = new Set<string>();
    for (let parent = node.parentId; parent && !seen.has(parent); parent = parentOf.get(parent)) {
      seen.add(parent);
      if (collapsed.has(parent)) outermost = parent;
    }
    if (outermost) hidden.set(node.id, outermost);
  }
  return hidden;
}

const countsCache = new WeakMap<readonly FlowNode[], Map<string, number>>();

/** How many nodes each container holds, its containers' nodes included. */
export function nodesInside(nodes: readonly FlowNode[]): Map<string, number> {
  let counts = countsCache.get(nodes);
  if (counts) return counts;
  counts = new Map();
  const parentOf = new Map(nodes.map((node) => [node.id, node.parentId]));
  for (const node of nodes) {
    const seen = new Set<string>();
    for (let parent = node.parentId; parent && !seen.has(parent); parent = parentOf.get(parent)) {
      seen.add(parent);
      counts.set(parent, (counts.get(parent) ?? 0) + 1);
    }
  }
  countsCache.set(nodes, counts);
  return counts;
}

// one drawn copy per node or edge object, so that React Flow sees unchanged objects unchanged
const hiddenNodes = new WeakMap<FlowNode, FlowNode>();
const foldedNodes = new WeakMap<FlowNode, FlowNode>();
const rerouted = new WeakMap<FlowEdge, { key: string; edge: FlowEdge }>();

/**
 * The graph as drawn with `collapsed` containers folded: what they hold hidden, each drawn at
 * COLLAPSED_SIZE, and an edge with an end inside one drawn to that container (from its first
 * output) or, when both ends are inside the same one, hidden.
 */
export function collapsedView(
  nodes: FlowNode[],
  edges: FlowEdge[],
  collapsed: ReadonlySet<string>,
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  if (!collapsed.size) return { nodes, edges };
  const hidden = hiddenBy(nodes, collapsed);
  const containers = new Set(nodes.filter((node) => node.type === "container").map((node) => node.id));
  const shownNodes = nodes.map((node) => {
    if (hidden.has(node.id)) {
      let copy = hiddenNodes.get(node);
      if (!copy) hiddenNodes.set(node, (copy = { ...node, hidden: true, selected: false }));
      return copy;
    }
    if (collapsed.has(node.id) && containers.has(node.id)) {
      let copy = foldedNodes.get(node);
      if (!copy) foldedNodes.set(node, (copy = { ...node, ...COLLAPSED_SIZE }));
      return copy;
    }
    return node;
  });
  const shownEdges = edges.map((edge) => {
    const source = hidden.get(edge.source);
    const target = hidden.get(edge.target);
    if (!source && !target) return edge;
    const key = `${source ?? ""}>${target ?? ""}`;
    const cached = rerouted.get(edge);
    if (cached?.key === key) return cached.edge;
    const drawn: FlowEdge =
      source && source === target
        ? { ...edge, hidden: true }
        : {
            ...edge,
            source: source ?? edge.source,
            sourceHandle: source ? null : edge.sourceHandle,
            target: target ?? edge.target,
            targetHandle: target ? "in" : edge.targetHandle,
          };
    rerouted.set(edge, { key, edge: drawn });
    return drawn;
  });
  return { nodes: shownNodes, edges: shownEdges };
}

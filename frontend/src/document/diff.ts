// The structural difference between two workflow documents, as the backend's diff reports it:
// nodes added, removed and changed (with dotted field paths), edges compared by what they connect.
import type { DocEdge, DocNode, Workflow } from "../api/types";

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface NodeChange {
  node: DocNode;
  changes: FieldChange[];
}

export interface WorkflowDiff {
  workflowChanges: FieldChange[];
  nodesAdded: DocNode[];
  nodesRemoved: DocNode[];
  nodesChanged: NodeChange[];
  edgesAdded: DocEdge[];
  edgesRemoved: DocEdge[];
}

const same = (left: unknown, right: unknown) => JSON.stringify(left) === JSON.stringify(right);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Changed leaves as dotted paths; a dict whose keys only moved is reported whole. */
export function fieldChanges(before: unknown, after: unknown, path = ""): FieldChange[] {
  if (same(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))];
    const found = keys.flatMap((key) =>
      fieldChanges(before[key], after[key], path ? `${path}.${key}` : key),
    );
    if (found.length) return found;
  }
  return [{ field: path, before, after }];
}

/** A node as the backend stores it: every field present, so that absent and null compare equal. */
function normalNode(node: DocNode): Omit<DocNode, "id"> {
  return {
    type: node.type,
    label: node.label ?? "",
    position: { x: node.position?.x ?? 0, y: node.position?.y ?? 0 },
    size: node.size ?? null,
    parent_id: node.parent_id ?? null,
    config: node.config ?? {},
  };
}

const connection = (edge: DocEdge) =>
  JSON.stringify([edge.source, edge.source_handle ?? "out", edge.target, edge.target_handle ?? "in"]);

export function diffWorkflows(before: Workflow, after: Workflow): WorkflowDiff {
  const oldNodes = new Map(before.nodes.map((node) => [node.id, node]));
  const newNodes = new Map(after.nodes.map((node) => [node.id, node]));
  const nodesChanged: NodeChange[] = [];
  for (const [id, node] of newNodes) {
    const old = oldNodes.get(id);
    if (!old) continue;
    const changes = fieldChanges(normalNode(old), normalNode(node));
    if (changes.length) nodesChanged.push({ node, changes });
  }
  const oldEdges = new Map(before.edges.map((edge) => [connection(edge), edge]));
  const newEdges = new Map(after.edges.map((edge) => [connection(edge), edge]));
  const { nodes: _a, edges: _b, ...beforeMeta } = before;
  const { nodes: _c, edges: _d, ...afterMeta } = after;
  return {
    workflowChanges: fieldChanges(beforeMeta, afterMeta),
    nodesAdded: [...newNodes.values()].filter((node) => !oldNodes.has(node.id)),
    nodesRemoved: [...oldNodes.values()].filter((node) => !newNodes.has(node.id)),
    nodesChanged,
    edgesAdded: [...newEdges].filter(([key]) => !oldEdges.has(key)).map(([, edge]) => edge),
    edgesRemoved: [...oldEdges].filter(([key]) => !newEdges.has(key)).map(([, edge]) => edge),
  };
}

export function isEmptyDiff(diff: WorkflowDiff): boolean {
  return (
    diff.workflowChanges.length +
      diff.nodesAdded.length +
      diff.nodesRemoved.length +
      diff.nodesChanged.length +
      diff.edgesAdded.length +
      diff.edgesRemoved.length ===
    0
  );
}

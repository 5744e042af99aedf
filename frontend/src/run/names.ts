// Nodes named as the user drew them: the server's findings name nodes by id (`node "a"`), the
// editor shows their labels, looked up in the project's workflows.

export interface NamedWorkflow {
  id: string;
  nodes: readonly { id: string; label?: string | null }[];
}

/** Workflow id -> node id -> the node's label (its id when it has none). */
export type NodeLabels = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function nodeLabels(workflows: readonly NamedWorkflow[]): NodeLabels {
  return new Map(
    workflows.map((workflow) => [workflow.id, new Map(workflow.nodes.map((node) => [node.id, node.label || node.id]))]),
  );
}

/** The node's label, or null when the workflow has no such node (any more). */
export function labelOf(labels: NodeLabels, workflowId: string, nodeId: string): string | null {
  return labels.get(workflowId)?.get(nodeId) ?? null;
}

export type SentencePart = { text: string } | { nodeId: string };

const NODE_REFERENCE = /node "([^"]+)"/g;

/** A sentence of the server's cut where it names a node (`node "a"`), so the node can be shown
 * by its label, as a link to it. */
export function sentenceParts(sentence: string): SentencePart[] {
  const parts: SentencePart[] = [];
  let at = 0;
  for (const match of sentence.matchAll(NODE_REFERENCE)) {
    const start = match.index ?? 0;
    const before = sentence.slice(at, start) + "node ";
    parts.push({ text: before });
    parts.push({ nodeId: match[1] ?? "" });
    at = start + match[0].length;
  }
  if (at < sentence.length) parts.push({ text: sentence.slice(at) });
  return parts;
}

/** The workflow a summary sentence is about: it begins `<workflow id>: `. */
export function sentenceWorkflow(sentence: string, workflowIds: Iterable<string>): string | null {
  for (const id of workflowIds) if (sentence.startsWith(`${id}: `)) return id;
  return null;
}

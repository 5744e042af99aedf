// Repeated sub-flows: containers whose contents have the same shape (the same kinds of node
// calling the same activities and child workflows, joined by the same edges, nested the same
// way), whatever their labels, positions and ids. The canvas marks each such container with a
// badge naming the others.
import type { FlowEdge, FlowNode } from "../document/mapping";

/** The config fields that name what a node calls: an activity, a workflow, a signal or query. */
export const IDENTITY_KEYS = ["activity", "workflow", "name"] as const;

/** A short, deterministic hash of a string (cyrb53), as 14 hex digits. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, "0") + ((h1 >>> 0) & 0xffffff).toString(16).padStart(6, "0");
}

/** What a node is, leaving out its label, position and id: its kind and what it calls. */
function nodeKey(node: FlowNode): string {
  const config = node.data.config ?? {};
  const names = IDENTITY_KEYS.map((key) => (typeof config[key] === "string" ? (config[key] as string) : ""));
  return `${node.data.kind}(${names.join(",")})`;
}

/** Rounds of refinement at most: enough to tell apart any two sub-flows of a workflow drawn by
 * hand, and a bound on the work for a large one. */
const MAX_ROUNDS = 12;

/** Signatures already worked out, by an exact description of the sub-graph (ids left out): a
 * container unchanged since, or of the same contents as another, costs one lookup. */
const known = new Map<string, string>();
const KNOWN_LIMIT = 20_000;

/**
 * For each container holding at least one node, a signature of its shape: two containers get
 * the same one when they are of one kind and what they hold has the same shape. Labels,
 * positions, ids and the containers' own settings are left out.
 *
 * Each node of a container's sub-graph (the container, its nodes at any depth and the edges
 * among them) starts from its kind and what it calls, then takes in, round by round, the names
 * of its neighbours (edges in and out with their ports, its parent and children), as in the
 * Weisfeiler-Lehman test; the signature is the sorted list of the names after the last round.
 */
export function containerSignatures(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): Map<string, string> {
  const children = new Map<string, FlowNode[]>();
  for (const node of nodes) {
    if (!node.parentId) continue;
    const list = children.get(node.parentId);
    if (list) list.push(node);
    else children.set(node.parentId, [node]);
  }
  const outgoing = new Map<string, FlowEdge[]>();
  for (const edge of edges) {
    const list = outgoing.get(edge.source);
    if (list) list.push(edge);
    else outgoing.set(edge.source, [edge]);
  }
  const keys = new Map<string, string>();
  const keyOf = (node: FlowNode) => {
    let key = keys.get(node.id);
    if (key === undefined) keys.set(node.id, (key = nodeKey(node)));
    return key;
  };
  const signatures = new Map<string, string>();
  for (const container of nodes) {
    if (container.type !== "container" || !children.get(container.id)?.length) continue;
    // the sub-graph: the container and everything it holds, at any depth
    const members: FlowNode[] = [container];
    const inside = new Set([container.id]);
    for (let index = 0; index < members.length; index += 1) {
      for (const child of children.get(members[index]!.id) ?? []) {
        if (inside.has(child.id)) continue;
        inside.add(child.id);
        members.push(child);
      }
    }
    const internal: FlowEdge[] = [];
    for (const member of members) {
      for (const edge of outgoing.get(member.id) ?? []) if (inside.has(edge.target)) internal.push(edge);
    }
    const index = new Map(members.map((node, at) => [node.id, at]));
    const exact = [
      members.map((node) => `${keyOf(node)}^${node.id === container.id ? "" : index.get(node.parentId ?? "")}`).join(";"),
      internal.map((edge) => `${index.get(edge.source)}>${edge.sourceHandle ?? "out"}>${index.get(edge.target)}`).join(";"),
    ].join("|");
    const found = known.get(exact);
    if (found !== undefined) {
      signatures.set(container.id, found);
      continue;
    }
    let names = new Map(members.map((node) => [node.id, node.id === container.id ? `@${keyOf(node)}` : keyOf(node)]));
    let distinct = new Set(names.values()).size;
    const rounds = Math.min(members.length, MAX_ROUNDS);
    for (let round = 0; round < rounds; round += 1) {
      const around = new Map<string, string[]>(members.map((node) => [node.id, []]));
      for (const edge of internal) {
        const port = edge.sourceHandle ?? "out";
        around.get(edge.source)!.push(`>${port}>${names.get(edge.target)}`);
        around.get(edge.target)!.push(`<${port}<${names.get(edge.source)}`);
      }
      for (const member of members) {
        if (member.id === container.id || !member.parentId) continue;
        around.get(member.parentId)?.push(`v${names.get(member.id)}`);
        around.get(member.id)!.push(`^${names.get(member.parentId)}`);
      }
      const next = new Map<string, string>();
      for (const member of members) {
        next.set(member.id, hash(`${names.get(member.id)}|${around.get(member.id)!.sort().join(";")}`));
      }
      names = next;
      // a round that tells no more nodes apart is the last that would: the same shapes stop at
      // the same round, so stopping here keeps their names alike
      const count = new Set(names.values()).size;
      if (count === distinct) break;
      distinct = count;
    }
    const all = members.map((node) => names.get(node.id)!).sort();
    const signature = hash(`${keyOf(container)}#${members.length}#${internal.length}#${all.join(",")}`);
    if (known.size >= KNOWN_LIMIT) known.clear();
    known.set(exact, signature);
    signatures.set(container.id, signature);
  }
  return signatures;
}

export interface Repeat {
  /** The other containers of the same shape, in the order of the document. */
  others: { id: string; label: string }[];
}

/** For each container whose shape one or more others share, those others. */
export function repeatsOf(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): Map<string, Repeat> {
  const signatures = containerSignatures(nodes, edges);
  const groups = new Map<string, FlowNode[]>();
  for (const node of nodes) {
    const signature = signatures.get(node.id);
    if (signature === undefined) continue;
    const group = groups.get(signature);
    if (group) group.push(node);
    else groups.set(signature, [node]);
  }
  const repeats = new Map<string, Repeat>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    for (const node of group) {
      repeats.set(node.id, {
        others: group
          .filter((other) => other !== node)
          .map((other) => ({ id: other.id, label: other.data.label || other.id })),
      });
    }
  }
  return repeats;
}

/** What the shapes depend on, as one string: a label or a position changing leaves it alone. */
export function shapeKey(nodes: readonly FlowNode[]): string {
  return nodes.map((node) => `${node.id}\t${node.parentId ?? ""}\t${nodeKey(node)}\t${node.data.label}`).join("\n");
}

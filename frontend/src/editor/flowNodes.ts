// What React Flow is handed of the editor's nodes. React Flow copies the nodes it is handed into
// its own store, and every copy asks each subscriber of that store again: on a large graph a
// minimap node for every node, the edges in view, the nodes in view. A keystroke in a node's
// label changes nothing React Flow draws or measures with (the node draws its label from the
// editor's store, see nodes.tsx), so the node React Flow was handed before stays, until the label
// settles; the same for a size React Flow measured and reported itself.
import type { Node } from "@xyflow/react";

import { outputHandles } from "../document/catalogue";
import type { FlowEdge } from "../document/mapping";
import type { EditorState } from "./store";

export interface FlowHolds {
  /** The size React Flow measured the node at (from its own store), if it has. */
  measured(id: string): { width?: number; height?: number } | undefined;
  /** The node's output ports, one string (what its data may change: a switch's cases). */
  ports(node: Node): string;
}

/**
 * The nodes to hand React Flow in place of `next`, `before` being the ones handed last: a node
 * whose change React Flow has no use for (`unusedChange`) stays the object handed before; when
 * every node stays, `before` itself (React Flow then copies nothing). `held` tells whether any
 * node handed is older than its counterpart in `next`: `next` is to be handed once it settles.
 */
export function keepUnusedChanges(
  before: readonly Node[],
  next: readonly Node[],
  holds: FlowHolds,
): { nodes: readonly Node[]; held: boolean } {
  if (before.length !== next.length) return { nodes: next, held: false };
  let held = false;
  let changed = false;
  const nodes = next.map((node, index) => {
    const old = before[index];
    if (old === node) return node;
    if (old && unusedChange(old, node, holds)) {
      held = true;
      return old;
    }
    changed = true;
    return node;
  });
  if (!held) return { nodes: next, held: false };
  return { nodes: changed ? nodes : before, held: true };
}

/** Whether `node` differs from `old` (the same node, as handed to React Flow before) only in
 * what React Flow has no use for: its data, while its kind and ports stay; its announced label;
 * the size React Flow measured and reported itself, and the ports' places that follow from it. */
export function unusedChange(old: Node, node: Node, holds: FlowHolds): boolean {
  if (old.id !== node.id) return false;
  const keys = new Set([...Object.keys(old), ...Object.keys(node)]);
  for (const key of keys) {
    const a = (old as Record<string, unknown>)[key];
    const b = (node as Record<string, unknown>)[key];
    if (a === b) continue;
    switch (key) {
      case "ariaLabel":
        continue;
      case "data":
        if (old.data.kind !== node.data.kind) return false;
        if (old.data.config !== node.data.config && holds.ports(old) !== holds.ports(node)) return false;
        continue;
      case "measured":
        if (!measuredByFlow(node, holds)) return false;
        continue;
      case "initialWidth":
      case "initialHeight":
        // the size a node is drawn at before React Flow measures it
        if (!measuredByFlow(node, holds)) return false;
        continue;
      case "handles":
        if (!sameHandles(old.handles, node.handles)) return false;
        continue;
      default:
        return false;
    }
  }
  return true;
}

/** Whether React Flow holds the node at the size `node` carries (it measured it itself). */
function measuredByFlow(node: Node, holds: FlowHolds): boolean {
  const known = holds.measured(node.id);
  return (
    known?.width !== undefined &&
    known.height !== undefined &&
    known.width === node.measured?.width &&
    known.height === node.measured?.height
  );
}

/** The same ports in the same order, wherever they sit: React Flow measures the places of the
 * ports of a node it draws, from the page. */
function sameHandles(a: Node["handles"], b: Node["handles"]): boolean {
  if (!a || !b) return a === b;
  return (
    a.length === b.length &&
    a.every((handle, index) => handle.id === b[index]?.id && handle.type === b[index]?.type)
  );
}

/** The output ports a node's edges leave from. */
export interface UsedHandles {
  ids: string[];
  /** `ids` as one string, to compare. */
  key: string;
}

export const NO_HANDLES: UsedHandles = { ids: [], key: "" };

const usedCache = new WeakMap<readonly FlowEdge[], Map<string, UsedHandles>>();

/** The output ports each node's edges leave from, by node; worked out once for an array of
 * edges. */
export function usedHandles(edges: readonly FlowEdge[]): ReadonlyMap<string, UsedHandles> {
  let used = usedCache.get(edges);
  if (used) return used;
  used = new Map();
  for (const edge of edges) {
    const entry = used.get(edge.source);
    if (entry) entry.ids.push(edge.sourceHandle ?? "out");
    else used.set(edge.source, { ids: [edge.sourceHandle ?? "out"], key: "" });
  }
  for (const entry of used.values()) entry.key = entry.ids.join("\n");
  usedCache.set(edges, used);
  return used;
}

/** A node's output ports as one string (`FlowHolds.ports`): its kind's, and those its config
 * and its edges add (a switch's cases). */
export function portsOf(state: Pick<EditorState, "catalogue" | "edges">, node: Node): string {
  const data = node.data as { kind?: string; config?: Record<string, unknown> };
  const kind = data.kind === undefined ? undefined : state.catalogue.kinds.get(data.kind);
  const used = usedHandles(state.edges).get(node.id)?.ids ?? [];
  return outputHandles(kind, data.config ?? {}, used)
    .map((handle) => handle.id)
    .join("\n");
}

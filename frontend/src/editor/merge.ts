// Two people saving the same workflow: when someone else saved first (409), this editor's changes
// (base -> mine) are replayed onto theirs (base -> theirs) if the two touch different things, down
// to a node's field and a config entry: a node, edge or workflow field changed by only one side, or
// changed the same way by both. Anything else is a real conflict, left to the conflict dialog.
// Containers shown collapsed (`ui.collapsed`) merge one container at a time: one person folding a
// container and another folding a second one keep both folded.
import type { DocEdge, DocNode, Workflow } from "../api/types";

/** One thing a side changed: where (`node/<id>/config/<key>`, `edge/<id>`, `meta/<field>`,
 * `collapsed/<id>`) and what it is now (undefined when removed; true for a container folded). */
interface Touch {
  path: string[];
  value: unknown;
}

const same = (left: unknown, right: unknown) => JSON.stringify(left) === JSON.stringify(right);

function metaOf(workflow: Workflow): Record<string, unknown> {
  const { nodes: _nodes, edges: _edges, ui: _ui, ...meta } = workflow;
  return meta;
}

function collapsedOf(workflow: Workflow): Set<string> {
  return new Set(workflow.ui?.collapsed ?? []);
}

function keysOf(...records: (Record<string, unknown> | undefined)[]): string[] {
  return [...new Set(records.flatMap((record) => Object.keys(record ?? {})))];
}

function nodeTouches(id: string, before: DocNode | undefined, after: DocNode | undefined): Touch[] {
  if (!before || !after) return same(before, after) ? [] : [{ path: ["node", id], value: after }];
  const touches: Touch[] = [];
  const old = before as unknown as Record<string, unknown>;
  const now = after as unknown as Record<string, unknown>;
  for (const field of keysOf(old, now)) {
    if (field === "id" || field === "config" || same(old[field], now[field])) continue;
    touches.push({ path: ["node", id, field], value: now[field] });
  }
  const oldConfig = before.config ?? {};
  const newConfig = after.config ?? {};
  for (const key of keysOf(oldConfig, newConfig)) {
    if (!same(oldConfig[key], newConfig[key])) {
      touches.push({ path: ["node", id, "config", key], value: newConfig[key] });
    }
  }
  return touches;
}

/** What `after` changed of `base`, thing by thing. */
export function touchesOf(base: Workflow, after: Workflow): Touch[] {
  const touches: Touch[] = [];
  const oldMeta = metaOf(base);
  const newMeta = metaOf(after);
  for (const field of keysOf(oldMeta, newMeta)) {
    if (!same(oldMeta[field], newMeta[field])) touches.push({ path: ["meta", field], value: newMeta[field] });
  }
  const oldCollapsed = collapsedOf(base);
  const newCollapsed = collapsedOf(after);
  for (const id of new Set([...oldCollapsed, ...newCollapsed])) {
    if (oldCollapsed.has(id) !== newCollapsed.has(id)) {
      touches.push({ path: ["collapsed", id], value: newCollapsed.has(id) || undefined });
    }
  }
  const oldNodes = new Map(base.nodes.map((node) => [node.id, node]));
  const newNodes = new Map(after.nodes.map((node) => [node.id, node]));
  for (const id of new Set([...oldNodes.keys(), ...newNodes.keys()])) {
    touches.push(...nodeTouches(id, oldNodes.get(id), newNodes.get(id)));
  }
  const oldEdges = new Map(base.edges.map((edge) => [edge.id, edge]));
  const newEdges = new Map(after.edges.map((edge) => [edge.id, edge]));
  for (const id of new Set([...oldEdges.keys(), ...newEdges.keys()])) {
    if (!same(oldEdges.get(id), newEdges.get(id))) touches.push({ path: ["edge", id], value: newEdges.get(id) });
  }
  return touches;
}

const within = (inner: string[], outer: string[]) => outer.every((part, index) => inner[index] === part);

/** Whether two changes are at odds: the same thing (or one inside the other) made different. */
function clash(mine: Touch, theirs: Touch): boolean {
  if (!within(mine.path, theirs.path) && !within(theirs.path, mine.path)) return false;
  return !(mine.path.length === theirs.path.length && same(mine.value, theirs.value));
}

function setOrDelete(record: Record<string, unknown>, key: string, value: unknown) {
  if (value === undefined) delete record[key];
  else record[key] = structuredClone(value);
}

/** `items` with the one of `id` replaced by `value`, added at the end, or removed (undefined). */
function put<T extends { id: string }>(items: T[], id: string, value: unknown): T[] {
  if (value === undefined) return items.filter((item) => item.id !== id);
  const copy = structuredClone(value) as T;
  return items.some((item) => item.id === id)
    ? items.map((item) => (item.id === id ? copy : item))
    : [...items, copy];
}

function apply(merged: Workflow, touch: Touch) {
  const [kind, id, field, key] = touch.path as [string, string, string?, string?];
  if (kind === "collapsed") {
    const collapsed = collapsedOf(merged);
    if (touch.value) collapsed.add(id);
    else collapsed.delete(id);
    if (collapsed.size) merged.ui = { collapsed: [...collapsed].sort() };
    else delete merged.ui;
  } else if (kind === "meta") {
    setOrDelete(merged as unknown as Record<string, unknown>, id, touch.value);
  } else if (kind === "edge") {
    merged.edges = put<DocEdge>(merged.edges, id, touch.value);
  } else if (field === undefined) {
    merged.nodes = put<DocNode>(merged.nodes, id, touch.value);
  } else {
    // theirs still has the node: had they removed it, the change would have clashed
    const node = merged.nodes.find((candidate) => candidate.id === id);
    if (!node) return;
    if (field === "config" && key !== undefined) {
      node.config = { ...(node.config ?? {}) };
      setOrDelete(node.config, key, touch.value);
    } else {
      setOrDelete(node as unknown as Record<string, unknown>, field, touch.value);
    }
  }
}

/** Whether every edge joins nodes that exist and every node's container exists. */
function connected(workflow: Workflow): boolean {
  const ids = new Set(workflow.nodes.map((node) => node.id));
  return (
    workflow.edges.every((edge) => ids.has(edge.source) && ids.has(edge.target)) &&
    workflow.nodes.every((node) => !node.parent_id || ids.has(node.parent_id))
  );
}

/** Theirs with my changes on top, or null when the two sides changed the same thing differently
 * (or the result would join what one of them removed). */
export function rebase(base: Workflow, mine: Workflow, theirs: Workflow): Workflow | null {
  const myTouches = touchesOf(base, mine);
  const theirTouches = touchesOf(base, theirs);
  if (myTouches.some((touch) => theirTouches.some((other) => clash(touch, other)))) return null;
  const merged = structuredClone(theirs);
  for (const touch of myTouches) apply(merged, touch);
  if (merged.ui) {
    // a container folded by one side and removed by the other is folded no more
    const ids = new Set(merged.nodes.map((node) => node.id));
    const collapsed = merged.ui.collapsed.filter((id) => ids.has(id));
    if (collapsed.length) merged.ui = { collapsed };
    else delete merged.ui;
  }
  return connected(merged) ? merged : null;
}


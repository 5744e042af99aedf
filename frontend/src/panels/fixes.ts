// Quick fixes: the edit a diagnostic's `fix` describes, made through the store's actions, so
// that each is one undoable step like any other edit.
import type { Diagnostic, ProjectSettings } from "../api/types";
import { type FlowNode, nodeSize, STEP_HEIGHT } from "../document/mapping";
import type { EditorStore } from "../editor/store";

export type Fix = NonNullable<Diagnostic["fix"]>;

/** Room left between a node the fix adds and the nodes below it. */
const GAP = 48;

/** Makes the edit; false when what it names is gone (the node was deleted meanwhile). */
export function applyFix(store: EditorStore, fix: Fix): boolean {
  const state = store.getState();
  switch (fix.kind) {
    case "add_node": {
      const id = state.addNode(fix.type, above(state.nodes));
      store.getState().focusNode(id);
      return true;
    }
    case "set_field":
    case "remove_field": {
      const path = fix.field.split(".");
      const value = fix.kind === "set_field" ? fix.value : undefined;
      if (fix.node === null) {
        state.setProject(changed(state.project, path, value) as ProjectSettings);
        return true;
      }
      const node = state.nodes.find((candidate) => candidate.id === fix.node);
      if (!node || path[0] !== "config") return false;
      const config = changed(node.data.config, path.slice(1), value) as Record<string, unknown>;
      state.updateNode(node.id, { config });
      return true;
    }
  }
}

/** Where a new entry node goes: centred above the topmost node on the canvas, clear of every
 * container (a Start inside one would be a problem of its own). */
export function above(nodes: readonly FlowNode[]): { x: number; y: number } {
  const top = nodes.filter((node) => !node.parentId);
  if (top.length === 0) return { x: 0, y: 0 };
  const highest = top.reduce((best, node) => (node.position.y < best.position.y ? node : best));
  return {
    x: highest.position.x + nodeSize(highest).width / 2,
    y: highest.position.y - GAP - STEP_HEIGHT / 2,
  };
}

/** A copy of `value` with the field at `path` set to `next`, or taken out when `next` is
 * undefined; the objects and lists on the way are copied, the rest is shared. */
export function changed(value: unknown, path: readonly string[], next: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return next;
  if (Array.isArray(value)) {
    const index = Number(head);
    const copy = [...value];
    copy[index] = changed(copy[index], rest, next);
    return copy;
  }
  const object = value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const copy = { ...object };
  if (rest.length === 0 && next === undefined) delete copy[head];
  else copy[head] = changed(object[head], rest, next);
  return copy;
}

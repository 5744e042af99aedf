// The node-type catalogue from GET /api/node-types, indexed for the editor.
import type { NodeKind, Port } from "../api/types";

export interface Catalogue {
  kinds: Map<string, NodeKind>;
  /** Kinds grouped by category, in the palette's order. */
  groups: { category: string; kinds: NodeKind[] }[];
}

const CATEGORY_ORDER = ["entries", "steps", "branching", "containers", "orchestration"];

export function makeCatalogue(entries: NodeKind[]): Catalogue {
  const kinds = new Map(entries.map((entry) => [entry.kind, entry]));
  const byCategory = new Map<string, NodeKind[]>();
  for (const entry of entries) {
    const list = byCategory.get(entry.category) ?? [];
    list.push(entry);
    byCategory.set(entry.category, list);
  }
  const rank = (category: string) => {
    const index = CATEGORY_ORDER.indexOf(category);
    return index === -1 ? CATEGORY_ORDER.length : index;
  };
  const groups = [...byCategory.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([category, list]) => ({ category, kinds: list }));
  return { kinds, groups };
}

/** The catalogue's groups with only the kinds that match `query` (in label, name, description or
 * category) and `keep`; groups left empty are left out. What the palette and the port picker list. */
export function matchingGroups(
  catalogue: Catalogue,
  query: string,
  keep: (kind: NodeKind) => boolean = () => true,
): Catalogue["groups"] {
  const needle = query.trim().toLowerCase();
  const matches = (kind: NodeKind) =>
    keep(kind) &&
    (!needle || [kind.label, kind.kind, kind.description, kind.category].some((text) => text.toLowerCase().includes(needle)));
  return catalogue.groups
    .map((group) => ({ ...group, kinds: group.kinds.filter(matches) }))
    .filter((group) => group.kinds.length > 0);
}

export function isContainer(kind: NodeKind | undefined): boolean {
  return kind?.role === "container";
}

/** The port a handle belongs to: `case:x` belongs to the prefix port `case`. */
export function portOf(kind: NodeKind | undefined, handle: string): Port | undefined {
  return kind?.outputs.find(
    (port) => port.name === handle || (port.prefix && handle.startsWith(`${port.name}:`)),
  );
}

/** Whether `handle` of a node of `kind` can take one more outgoing edge, given the handles its
 * edges leave from: a port leads to one node unless it allows several. */
export function portTakesAnother(kind: NodeKind | undefined, handle: string, usedHandles: readonly string[]): boolean {
  const port = portOf(kind, handle);
  return port !== undefined && (port.multiple || !usedHandles.includes(handle));
}

/**
 * The output handles a node shows. A prefix port (`case`) stands for a family of handles whose
 * keys live in the config list named after it (`cases[].key`); handles still used by edges are
 * kept so that an edge to a removed key stays visible (and marked by validation).
 */
export function outputHandles(
  kind: NodeKind | undefined,
  config: Record<string, unknown>,
  usedHandles: readonly string[] = [],
): { id: string; label: string }[] {
  if (!kind) return usedHandles.map((id) => ({ id, label: id }));
  const handles: { id: string; label: string }[] = [];
  for (const port of kind.outputs) {
    if (!port.prefix) {
      handles.push({ id: port.name, label: port.label });
      continue;
    }
    const family = config[`${port.name}s`];
    const keys = new Set<string>();
    if (Array.isArray(family)) {
      for (const item of family) {
        const key = (item as { key?: unknown } | null)?.key;
        if (typeof key === "string" && key) keys.add(key);
      }
    }
    for (const handle of usedHandles) {
      if (handle.startsWith(`${port.name}:`)) keys.add(handle.slice(port.name.length + 1));
    }
    for (const key of keys) handles.push({ id: `${port.name}:${key}`, label: key });
  }
  for (const handle of usedHandles) {
    if (!handles.some((h) => h.id === handle)) handles.push({ id: handle, label: handle });
  }
  return handles;
}

/** What an edge leaving `handle` is labelled with; nothing for a kind's only way out. */
export function edgeLabel(kind: NodeKind | undefined, handle: string): string {
  if (!kind) return handle;
  const only = kind.outputs.length === 1 ? kind.outputs[0] : undefined;
  if (only && !only.prefix && handle === only.name) return "";
  const port = portOf(kind, handle);
  if (port?.prefix) return `${port.label}: ${handle.slice(port.name.length + 1)}`;
  return port?.label ?? handle;
}

// The difference between two workflow documents as a user would tell it: nodes added, removed and
// changed (each changed field named in words), edges compared by what they connect. Layout is left
// out (where a node sits and how big it is), and so is what only differs in how it is written: a
// field left out against the same field empty ("", null, [], {}) or at its default, as the server
// fills them in.
import type { DocEdge, DocNode, JsonSchema, Workflow } from "../api/types";
import type { Catalogue } from "./catalogue";

export interface FieldChange {
  /** The dotted path of the field in the document (`config.retry.maximum_attempts`). */
  field: string;
  /** The field in words (`Retry › Maximum attempts`). */
  label: string;
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

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === "" ||
  (Array.isArray(value) && value.length === 0) ||
  (isRecord(value) && Object.keys(value).length === 0);

/** The value without the fields that say nothing: empty ones, and those at their `defaults`. */
function meaningful(value: unknown, defaults: Record<string, unknown> = {}): unknown {
  if (Array.isArray(value)) return value.map((item) => meaningful(item));
  if (!isRecord(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const cleaned = meaningful(item);
    if (isEmpty(cleaned) || (key in defaults && same(cleaned, defaults[key]))) continue;
    kept[key] = cleaned;
  }
  return kept;
}

/** A dotted path in words: `settings.id_template` is `Settings › Id template`. */
export function humanize(path: string): string {
  return path
    .split(".")
    .map((part) => part.replace(/_/g, " "))
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(" › ");
}

type Namer = (path: string) => string;

/** Changed leaves as dotted paths; a dict whose keys only moved is reported whole. */
export function fieldChanges(before: unknown, after: unknown, path = "", name: Namer = humanize): FieldChange[] {
  if (same(before, after)) return [];
  // a record on one side only (the other emptied out) is told field by field too
  const old = before === undefined ? {} : before;
  const now = after === undefined ? {} : after;
  if (isRecord(old) && isRecord(now)) {
    const keys = [...Object.keys(old), ...Object.keys(now).filter((k) => !(k in old))];
    const found = keys.flatMap((key) => fieldChanges(old[key], now[key], path ? `${path}.${key}` : key, name));
    if (found.length) return found;
  }
  return [{ field: path, label: name(path), before, after }];
}

const WORKFLOW_FIELDS: Record<string, string> = {
  name: "Name",
  description: "Description",
  input: "Input fields",
  input_defaults: "Input defaults",
  output: "Output type",
  state: "State",
  "settings.id_template": "Workflow id template",
  "settings.execution_timeout": "Execution timeout",
};
/** What a workflow's fields left out (other than empty values) were written as: documents from
 * before an output could be left out say `"None"` for none. */
const WORKFLOW_DEFAULTS: Record<string, unknown> = { output: "None" };

const NODE_FIELDS: Record<string, string> = { label: "Label", type: "Kind", parent_id: "Container" };

function workflowField(path: string): string {
  const known = Object.keys(WORKFLOW_FIELDS).find((key) => path === key || path.startsWith(`${key}.`));
  if (!known) return humanize(path);
  const rest = path.slice(known.length + 1);
  return rest ? `${WORKFLOW_FIELDS[known]} › ${humanize(rest)}` : WORKFLOW_FIELDS[known]!;
}

function nodeField(schema: JsonSchema | undefined): Namer {
  return (path) => {
    const [top, key, ...rest] = path.split(".");
    if (top !== "config" || !key) return NODE_FIELDS[path] ?? humanize(path);
    const title = schema?.properties?.[key]?.title ?? humanize(key);
    return rest.length ? `${title} › ${humanize(rest.join("."))}` : title;
  };
}

/** The config fields a kind's schema gives a default other than empty. */
function configDefaults(schema: JsonSchema | undefined): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    if (property.default !== undefined && !isEmpty(property.default)) defaults[key] = property.default;
  }
  return defaults;
}

/** What a node means, without where it is drawn. */
function meaningOf(node: DocNode, schema: JsonSchema | undefined) {
  return {
    type: node.type,
    label: node.label ?? "",
    parent_id: node.parent_id ?? null,
    config: meaningful(node.config ?? {}, configDefaults(schema)),
  };
}

const connection = (edge: DocEdge) =>
  JSON.stringify([edge.source, edge.source_handle ?? "out", edge.target, edge.target_handle ?? "in"]);

/** The difference from `before` to `after`; with the catalogue, config fields are named by their
 * titles and a field at its schema default counts as left out. */
export function diffWorkflows(before: Workflow, after: Workflow, catalogue?: Catalogue): WorkflowDiff {
  const oldNodes = new Map(before.nodes.map((node) => [node.id, node]));
  const newNodes = new Map(after.nodes.map((node) => [node.id, node]));
  const nodesChanged: NodeChange[] = [];
  for (const [id, node] of newNodes) {
    const old = oldNodes.get(id);
    if (!old) continue;
    const schema = catalogue?.kinds.get(node.type)?.config_schema;
    const changes = fieldChanges(meaningOf(old, schema), meaningOf(node, schema), "", nodeField(schema));
    if (changes.length) nodesChanged.push({ node, changes });
  }
  const oldEdges = new Map(before.edges.map((edge) => [connection(edge), edge]));
  const newEdges = new Map(after.edges.map((edge) => [connection(edge), edge]));
  // `ui` (the containers shown collapsed) is how the graph is drawn, not what it means
  const { nodes: _a, edges: _b, ui: _e, ...beforeMeta } = before;
  const { nodes: _c, edges: _d, ui: _f, ...afterMeta } = after;
  return {
    workflowChanges: fieldChanges(
      meaningful(beforeMeta, WORKFLOW_DEFAULTS),
      meaningful(afterMeta, WORKFLOW_DEFAULTS),
      "",
      workflowField,
    ),
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

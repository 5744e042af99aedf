// A small catalogue in the shape GET /api/node-types answers, for the unit tests.
import type { ActivityDef, NodeKind, Workflow } from "../api/types";
import { makeCatalogue } from "../document/catalogue";
import { createEditorStore, type EditorStore } from "../editor/store";

const kind = (entry: Partial<NodeKind> & Pick<NodeKind, "kind" | "role">): NodeKind => ({
  label: entry.kind,
  category: "steps",
  icon: "box",
  color: "#475569",
  description: "",
  has_input: true,
  outputs: [{ name: "out", label: "next", multiple: false, prefix: false }],
  config_schema: { type: "object", properties: {} },
  defaults: {},
  ...entry,
});

export const catalogue = makeCatalogue([
  kind({ kind: "start", role: "entry", label: "Start", category: "entries", has_input: false }),
  kind({ kind: "activity", role: "step", label: "Activity", defaults: { activity: "", args: {} } }),
  kind({
    kind: "condition",
    role: "branch",
    label: "Condition",
    category: "branching",
    outputs: [
      { name: "true", label: "true", multiple: false, prefix: false },
      { name: "false", label: "false", multiple: false, prefix: false },
    ],
  }),
  kind({
    kind: "switch",
    role: "branch",
    label: "Switch",
    category: "branching",
    outputs: [
      { name: "case", label: "case", multiple: false, prefix: true },
      { name: "default", label: "default", multiple: false, prefix: false },
    ],
  }),
  kind({
    kind: "parallel",
    role: "parallel",
    label: "Parallel",
    category: "branching",
    outputs: [{ name: "branch", label: "branch", multiple: true, prefix: false }],
  }),
  kind({ kind: "phase", role: "container", label: "Phase", category: "containers" }),
  kind({ kind: "end", role: "terminal", label: "End", category: "entries", outputs: [] }),
]);

export function sampleWorkflow(): Workflow {
  return {
    id: "greet",
    name: "Greet",
    description: "",
    input: { name: "str" },
    input_defaults: {},
    output: "str",
    state: [{ name: "greeted", type: "int", default: 0, description: "" }],
    settings: { id_template: null, execution_timeout: null },
    nodes: [
      { id: "start", type: "start", label: "Start", position: { x: 0, y: 0 }, size: null, parent_id: null, config: {} },
      {
        id: "work",
        type: "phase",
        label: "Work",
        position: { x: 0, y: 120 },
        size: { width: 400, height: 260 },
        parent_id: null,
        config: {},
      },
      {
        id: "compose",
        type: "activity",
        label: "Compose",
        position: { x: 40, y: 60 },
        size: null,
        parent_id: "work",
        config: { activity: "compose", args: { name: "input.name" }, result: "greeting" },
      },
      {
        id: "loud",
        type: "condition",
        label: "Loud?",
        position: { x: 0, y: 450 },
        size: null,
        parent_id: null,
        config: { expression: "input.loud" },
      },
      { id: "say", type: "end", label: "Say", position: { x: 0, y: 600 }, size: null, parent_id: null, config: { value: "greeting.text" } },
    ],
    edges: [
      { id: "e1", source: "start", source_handle: "out", target: "work", target_handle: "in" },
      { id: "e2", source: "work", source_handle: "out", target: "loud", target_handle: "in" },
      { id: "e3", source: "loud", source_handle: "true", target: "say", target_handle: "in" },
    ],
  };
}

/** An editor store on `workflow`, the only workflow of the project "hello". */
export function editorStore(
  workflow: Workflow,
  { revision = 1, activities = [] }: { revision?: number; activities?: ActivityDef[] } = {},
): EditorStore {
  return createEditorStore({
    catalogue,
    projectId: "hello",
    workflow,
    revision,
    project: { name: "Hello", description: "", task_queue: "hello", types: {}, activities },
    projectRevision: 1,
    projectWorkflows: [workflow],
  });
}

// The properties of what is selected: a node's label and config (a form drawn from its kind's
// schema), or, with nothing selected, the workflow's own settings.
import { useMemo } from "react";
import { useShallow } from "zustand/react/shallow";

import type { Diagnostic, JsonSchema } from "../api/types";
import { literalChoices, TYPE_SUGGESTIONS } from "../document/typerefs";
import { KindIcon } from "../components/KindIcon";
import { scopeAt, settingsScope } from "../editor/completions";
import { useEditor, useEditorStore } from "../editor/context";
import { selectedNodeIds, type EditorState } from "../editor/store";
import type { CodeFormat } from "./CodeInput";
import { type FormContext, SchemaField, SchemaForm } from "./SchemaForm";

/** Diagnostics by field path, with a prefix such as `config.` taken off. */
function problemsByField(diagnostics: Diagnostic[] | undefined, prefix: string): Map<string, Diagnostic[]> {
  const found = new Map<string, Diagnostic[]>();
  for (const diagnostic of diagnostics ?? []) {
    if (!diagnostic.field?.startsWith(prefix)) continue;
    const key = diagnostic.field.slice(prefix.length);
    found.set(key, [...(found.get(key) ?? []), diagnostic]);
  }
  return found;
}

function useSuggestions() {
  const project = useEditor((state) => state.project);
  const workflows = useEditor((state) => state.projectWorkflows);
  return useMemo(() => {
    const types = [
      ...TYPE_SUGGESTIONS,
      ...Object.keys(project.types),
    ];
    const suggestions = (name: string): string[] | undefined => {
      if (name === "activity") return project.activities.map((activity) => activity.name);
      if (name === "workflow") return workflows.map((workflow) => workflow.id);
      if (["output", "returns", "type"].includes(name)) return types;
      return undefined;
    };
    const expectedKeys = (path: string, parent: Record<string, unknown>): string[] | undefined => {
      // every input field is offered a default; the ones left empty have none
      if (path === "input_defaults") {
        const input = parent.input;
        return input && typeof input === "object" ? Object.keys(input) : undefined;
      }
      if (!path.endsWith("args")) return undefined;
      if (typeof parent.activity === "string") {
        const activity = project.activities.find((a) => a.name === parent.activity);
        return activity ? Object.keys(activity.input) : undefined;
      }
      if (typeof parent.workflow === "string") {
        const workflow = workflows.find((w) => w.id === parent.workflow);
        return workflow ? Object.keys(workflow.input) : undefined;
      }
      return undefined;
    };
    return { suggestions, expectedKeys, types, projectTypes: Object.keys(project.types) };
  }, [project, workflows]);
}

function NodeInspector({ nodeId }: { nodeId: string }) {
  const store = useEditorStore();
  const node = useEditor((state) => state.nodes.find((n) => n.id === nodeId));
  const kind = useEditor((state) => (node ? state.catalogue.kinds.get(node.data.kind) : undefined));
  const problems = useEditor((state) => state.problemsByNode[nodeId]);
  const completions = useEditor((state) => state.completions);
  const workflowId = useEditor((state) => state.workflowId);
  const { suggestions, expectedKeys, projectTypes } = useSuggestions();
  if (!node) return null;
  const context: FormContext = {
    root: kind?.config_schema ?? {},
    problems: problemsByField(problems, "config."),
    suggestions,
    expectedKeys,
    projectTypes,
    completionAt: (path) => scopeAt(completions, workflowId, nodeId, path),
    idPrefix: `node-${nodeId}`,
  };
  const general = (problems ?? []).filter((p) => !p.field?.startsWith("config."));
  return (
    <div className="inspector" data-testid="node-inspector">
      <header className="inspector-header">
        <span className="node-icon" style={{ "--kind-color": kind?.color } as React.CSSProperties}>
          <KindIcon name={kind?.icon ?? "box"} />
        </span>
        <div>
          <h3 className="inspector-kind">{kind?.label ?? node.data.kind}</h3>
          <div className="inspector-id">{node.id}</div>
        </div>
      </header>
      {kind?.description && <p className="inspector-description">{kind.description}</p>}
      {general.length > 0 && (
        <ul className="field-problems block">
          {general.map((problem, index) => (
            <li key={index} className={problem.severity}>
              {problem.message}
            </li>
          ))}
        </ul>
      )}
      <div className="field">
        <div className="field-label">
          <label htmlFor={`node-${nodeId}-label`}>Label</label>
        </div>
        <input
          id={`node-${nodeId}-label`}
          type="text"
          value={node.data.label}
          onChange={(event) => store.getState().updateNode(nodeId, { label: event.target.value }, "label")}
        />
      </div>
      {kind && (
        <SchemaForm
          schema={kind.config_schema}
          value={node.data.config}
          context={context}
          onChange={(config) => store.getState().updateNode(nodeId, { config }, "config")}
        />
      )}
    </div>
  );
}

const WORKFLOW_FIELDS = ["name", "description", "input", "input_defaults", "output", "state", "settings"] as const;
const WORKFLOW_LABELS: Partial<Record<(typeof WORKFLOW_FIELDS)[number], string>> = {
  input: "input fields",
  input_defaults: "input defaults",
  state: "state variables",
};
const WORKFLOW_FORMATS: Record<string, CodeFormat> = {
  "settings.id_template": "template",
  "settings.execution_timeout": "duration",
};

export function WorkflowSettingsForm({ documentSchema }: { documentSchema: JsonSchema }) {
  const store = useEditorStore();
  const meta = useEditor((state) => state.meta);
  const diagnostics = useEditor(
    useShallow((state: EditorState) => state.diagnostics.filter((d) => !d.node_id && !d.edge_id && d.workflow_id)),
  );
  const { suggestions, expectedKeys, projectTypes } = useSuggestions();
  const completions = useEditor((state) => state.completions);
  const workflowSchema = documentSchema.$defs?.Workflow;
  if (!workflowSchema?.properties) return null;
  const context: FormContext = {
    root: documentSchema,
    problems: problemsByField(diagnostics, ""),
    suggestions,
    expectedKeys,
    projectTypes,
    formatOf: (path) => WORKFLOW_FORMATS[path],
    completionAt: (path) => (path === "settings.id_template" ? settingsScope(completions, meta.id) : null),
    choicesOf: (path, parent) => {
      // a default of a Literal field is one of its values
      const input = /^input_defaults\.(.+)$/.exec(path)?.[1];
      const type = input !== undefined ? meta.input[input] : /^state\.\d+\.default$/.test(path) ? parent.type : undefined;
      return typeof type === "string" ? (literalChoices(type) ?? undefined) : undefined;
    },
    idPrefix: "workflow",
  };
  const metaRecord = meta as unknown as Record<string, unknown>;
  return (
    <div className="inspector" data-testid="workflow-settings">
      <header className="inspector-header plain">
        <div>
          <h3 className="inspector-kind">Workflow</h3>
          <div className="inspector-id">{meta.id}</div>
        </div>
      </header>
      <p className="inspector-description">
        Select a node to edit it. With nothing selected, these are the workflow&apos;s settings.
      </p>
      {WORKFLOW_FIELDS.map((key) => {
        const schema = workflowSchema.properties?.[key];
        if (!schema) return null;
        return (
          <SchemaField
            key={key}
            name={WORKFLOW_LABELS[key] ?? key}
            path={key}
            schema={schema}
            value={metaRecord[key]}
            required={false}
            parent={metaRecord}
            context={context}
            onChange={(value) => {
              const next = { ...meta, [key]: value ?? defaultOf(key) };
              // a field that may be left out (the output of a workflow returning nothing) is
              // left out of the document, not written as undefined
              if (next[key] === undefined) delete next[key];
              store.getState().setMeta(next, key);
            }}
          />
        );
      })}
    </div>
  );
}

function defaultOf(key: string): unknown {
  switch (key) {
    case "input":
    case "input_defaults":
    case "settings":
      return {};
    case "state":
      return [];
    case "output":
      return undefined;
    default:
      return "";
  }
}

export function Inspector({ documentSchema }: { documentSchema: JsonSchema }) {
  const selected = useEditor(useShallow(selectedNodeIds));
  if (selected.length === 1 && selected[0]) return <NodeInspector nodeId={selected[0]} key={selected[0]} />;
  if (selected.length > 1) {
    return (
      <div className="inspector">
        <p className="inspector-description">
          {selected.length} nodes selected. Drag to move them together, Delete to remove them, Ctrl+C to copy.
        </p>
      </div>
    );
  }
  return <WorkflowSettingsForm documentSchema={documentSchema} />;
}

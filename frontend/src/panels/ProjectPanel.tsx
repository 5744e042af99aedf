// The project's settings as the editor shows them: the task queue, the shared types and the
// activity catalogue with each activity's implementation. Saved with the workflow (Ctrl+S).
import { useMemo } from "react";
import { useShallow } from "zustand/react/shallow";

import type { Diagnostic, JsonSchema, ProjectSettings } from "../api/types";
import { TYPE_SUGGESTIONS } from "../document/typerefs";
import { useEditor, useEditorStore } from "../editor/context";
import type { EditorState } from "../editor/store";
import { type FormContext, SchemaField } from "./SchemaForm";

const PROJECT_FIELDS = ["name", "description", "task_queue", "types", "activities"] as const;

export function ProjectPanel({ documentSchema }: { documentSchema: JsonSchema }) {
  const store = useEditorStore();
  const project = useEditor((state) => state.project);
  const diagnostics = useEditor(
    useShallow((state: EditorState) => state.diagnostics.filter((d) => !d.workflow_id && !d.node_id)),
  );
  const context = useMemo<FormContext>(() => {
    const problems = new Map<string, Diagnostic[]>();
    for (const diagnostic of diagnostics) {
      if (!diagnostic.field) continue;
      problems.set(diagnostic.field, [...(problems.get(diagnostic.field) ?? []), diagnostic]);
    }
    const types = [
      ...TYPE_SUGGESTIONS,
      ...Object.keys(project.types),
    ];
    return {
      root: documentSchema,
      problems,
      suggestions: (name) => (name === "output" || name === "type" ? types : undefined),
      expectedKeys: () => undefined,
      formatOf: () => undefined,
      projectTypes: Object.keys(project.types),
      idPrefix: "project",
    };
  }, [diagnostics, documentSchema, project.types]);
  const record = project as unknown as Record<string, unknown>;
  const general = diagnostics.filter((d) => !d.field || !context.problems.has(d.field));
  return (
    <div className="inspector" data-testid="project-panel">
      <p className="inspector-description">
        Shared by every workflow of the project: types become dataclasses, and each activity is bound to
        its implementation (your Python function, an HTTP call, a command, or a simulation).
      </p>
      {general.length > 0 && (
        <ul className="field-problems block">
          {general.map((problem, index) => (
            <li key={index} className={problem.severity}>
              {problem.message}
            </li>
          ))}
        </ul>
      )}
      {PROJECT_FIELDS.map((key) => {
        const schema = documentSchema.properties?.[key];
        if (!schema) return null;
        return (
          <SchemaField
            key={key}
            name={key}
            path={key}
            schema={schema}
            value={record[key]}
            required={false}
            parent={record}
            context={context}
            onChange={(value) => {
              const next = { ...project, [key]: value ?? emptyOf(key) } as ProjectSettings;
              store.getState().setProject(next, key);
            }}
          />
        );
      })}
    </div>
  );
}

function emptyOf(key: string): unknown {
  if (key === "types") return {};
  if (key === "activities") return [];
  if (key === "task_queue") return "default";
  return "";
}

// Every diagnostic of the workflow, named as a person names things (the node by its label, the
// field by its title); clicking one selects the node (or edge) it names, and a problem with a
// mechanical fix offers it.
import { ChevronDown, ChevronUp, CircleAlert, CircleCheck, TriangleAlert, Wrench } from "lucide-react";
import { useState } from "react";

import type { Diagnostic } from "../api/types";
import { useEditor, useEditorStore } from "../editor/context";
import { applyFix } from "./fixes";

/** `Fetch thing › Activity`: what a problem is about, by the names the check gave it, else by
 * the node's label and the field's path. */
export function problemWhere(diagnostic: Diagnostic, labelOf: (id: string) => string): string {
  const parts: string[] = [];
  if (diagnostic.edge_id) parts.push(diagnostic.edge_name ?? `edge ${diagnostic.edge_id}`);
  else if (diagnostic.node_id) parts.push(diagnostic.node_name ?? labelOf(diagnostic.node_id));
  if (diagnostic.field) parts.push(diagnostic.field_name ?? diagnostic.field);
  return parts.join(" › ");
}

/** `onOpenNode`: a problem was clicked, to show the properties of what it names. */
export function ProblemsPanel({ onOpenNode }: { onOpenNode(): void }) {
  const store = useEditorStore();
  const diagnostics = useEditor((state) => state.diagnostics);
  const nodes = useEditor((state) => state.nodes);
  const [open, setOpen] = useState(true);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const labelOf = (id: string) => {
    const node = nodes.find((n) => n.id === id);
    return node ? node.data.label || node.id : id;
  };
  const select = (nodeId?: string | null, edgeId?: string | null) => {
    const state = store.getState();
    if (edgeId && state.edges.some((e) => e.id === edgeId)) state.focusEdge(edgeId);
    else if (nodeId && state.nodes.some((n) => n.id === nodeId)) {
      state.focusNode(nodeId);
      onOpenNode();
    }
  };
  return (
    <section className={open ? "problems open" : "problems"} data-testid="problems">
      <h2 className="problems-title">
        <button type="button" className="problems-header" aria-expanded={open} onClick={() => setOpen(!open)}>
          {diagnostics.length === 0 ? (
            <span className="ok">
              <CircleCheck size={14} /> No problems
            </span>
          ) : (
            <span>
              Problems
              {errors > 0 && (
                <span className="count error">
                  <CircleAlert size={13} /> {errors}
                </span>
              )}
              {warnings > 0 && (
                <span className="count warning">
                  <TriangleAlert size={13} /> {warnings}
                </span>
              )}
            </span>
          )}
          {diagnostics.length > 0 && (open ? <ChevronDown size={14} /> : <ChevronUp size={14} />)}
        </button>
      </h2>
      {open && diagnostics.length > 0 && (
        <ul className="problem-list">
          {diagnostics.map((diagnostic, index) => {
            const where = problemWhere(diagnostic, labelOf);
            const fix = diagnostic.fix;
            return (
              <li key={index} className="problem-row">
                <button
                  type="button"
                  className={`problem ${diagnostic.severity}`}
                  data-testid="problem"
                  onClick={() => select(diagnostic.node_id, diagnostic.edge_id)}
                >
                  {diagnostic.severity === "error" ? <CircleAlert size={14} /> : <TriangleAlert size={14} />}
                  <code>{diagnostic.code}</code>
                  {where && <span className="problem-where">{where}:</span>}
                  <span className="problem-message">{diagnostic.message}</span>
                </button>
                {fix && (
                  <button
                    type="button"
                    className="button small problem-fix"
                    data-testid="problem-fix"
                    title={fix.title}
                    onClick={() => {
                      if (!applyFix(store, fix)) store.getState().notify("What this fix changes is no longer there", "error");
                    }}
                  >
                    <Wrench size={12} /> Fix
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

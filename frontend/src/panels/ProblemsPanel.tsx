// Every diagnostic of the workflow; clicking one selects the node (or edge) it names.
import { ChevronDown, ChevronUp, CircleAlert, CircleCheck, TriangleAlert } from "lucide-react";
import { useState } from "react";

import { useEditor, useEditorStore } from "../editor/context";

/** `onOpenNode`: a problem was clicked, to show the properties of what it names. */
export function ProblemsPanel({ onOpenNode }: { onOpenNode(): void }) {
  const store = useEditorStore();
  const diagnostics = useEditor((state) => state.diagnostics);
  const nodes = useEditor((state) => state.nodes);
  const [open, setOpen] = useState(true);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const labelOf = (id: string | null | undefined) => {
    if (!id) return null;
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
      <button type="button" className="problems-header" onClick={() => setOpen(!open)}>
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
      {open && diagnostics.length > 0 && (
        <ul className="problem-list">
          {diagnostics.map((diagnostic, index) => (
            <li key={index}>
              <button
                type="button"
                className={`problem ${diagnostic.severity}`}
                data-testid="problem"
                onClick={() => select(diagnostic.node_id, diagnostic.edge_id)}
              >
                {diagnostic.severity === "error" ? <CircleAlert size={14} /> : <TriangleAlert size={14} />}
                <code>{diagnostic.code}</code>
                {(diagnostic.node_id || diagnostic.edge_id) && (
                  <span className="problem-where">
                    {diagnostic.edge_id ? `edge ${diagnostic.edge_id}` : labelOf(diagnostic.node_id)}
                  </span>
                )}
                <span className="problem-message">{diagnostic.message}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

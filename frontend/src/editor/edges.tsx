// Edges: a smooth step path labelled with the port it leaves (`true`, `case: x`...), marked red
// with a sign at its middle when validation names it, and coloured while a diff is shown.
import { BaseEdge, type Edge, EdgeLabelRenderer, type EdgeProps, getSmoothStepPath } from "@xyflow/react";
import { CircleAlert } from "lucide-react";
import { memo } from "react";

import type { FlowEdge } from "../document/mapping";
import { useEditor } from "./context";
import type { DiffView } from "./store";

const addedCache = new WeakMap<DiffView, Set<string>>();

const connectionKey = (source: string, handle: string, target: string, targetHandle: string) =>
  JSON.stringify([source, handle, target, targetHandle]);

function isAdded(diff: DiffView | null, edge: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }) {
  if (!diff) return false;
  let added = addedCache.get(diff);
  if (!added) {
    added = new Set(
      diff.diff.edgesAdded.map((e) => connectionKey(e.source, e.source_handle, e.target, e.target_handle)),
    );
    addedCache.set(diff, added);
  }
  return added.has(connectionKey(edge.source, edge.sourceHandle ?? "out", edge.target, edge.targetHandle ?? "in"));
}

export const PortEdge = memo(function PortEdge(props: EdgeProps<FlowEdge>) {
  const { id, data, selected, source, target, sourceHandleId, targetHandleId } = props;
  const [path, labelX, labelY] = getSmoothStepPath({ ...props, borderRadius: 10, offset: 16 });
  const problems = useEditor((state) => state.problemsByEdge[id]);
  const added = useEditor((state) =>
    isAdded(state.diff, { source, target, sourceHandle: sourceHandleId, targetHandle: targetHandleId }),
  );
  const label = data?.label ?? "";
  const classes = ["wf-edge", selected ? "selected" : "", problems ? "broken" : "", added ? "diff-added" : ""].join(" ");
  return (
    <>
      <BaseEdge id={id} path={path} className={classes} interactionWidth={16} />
      {(label || problems) && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label nodrag nopan${problems ? " broken" : ""}${selected ? " selected" : ""}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid="edge-label"
            data-edge-id={id}
          >
            {problems && (
              <span className="edge-problem" data-testid="edge-problem" title={problems.map((p) => p.message).join("\n")}>
                <CircleAlert size={13} />
              </span>
            )}
            {label}
            {problems && (
              <div className="node-problem-popover" role="tooltip">
                {problems.map((problem, index) => (
                  <p key={index}>
                    <code>{problem.code}</code> {problem.message}
                  </p>
                ))}
              </div>
            )}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

export type GhostEdge = Edge<{ label: string }, "ghost">;

export const GhostEdgeView = memo(function GhostEdgeView(props: EdgeProps<GhostEdge>) {
  const [path] = getSmoothStepPath({ ...props, borderRadius: 10, offset: 16 });
  return <BaseEdge id={props.id} path={path} className="wf-edge diff-removed" />;
});

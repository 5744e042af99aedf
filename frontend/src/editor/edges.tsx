// Edges: the route found around the nodes in the way (see edgeRoutes.ts), or a smooth step path
// until there is one and while a drag moves its ends; labelled next to the port it leaves
// (`true`, `case: x`...), marked red with a sign there when validation names it, and coloured
// while a diff is shown.
import { BaseEdge, type Edge, EdgeLabelRenderer, type EdgeProps, getSmoothStepPath, useStore } from "@xyflow/react";
import { CircleAlert } from "lucide-react";
import { memo } from "react";

import type { FlowEdge } from "../document/mapping";
import { useEditor } from "./context";
import { routeFits, useRoute } from "./edgeRoutes";
import { roundedPath } from "./routing";
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

/** Room between a port and its label; the labels of neighbouring ports take turns on two rows,
 * so that long ones do not overlap. */
const LABEL_GAP = 4;
const LABEL_ROW = 20;

function portIndex(handles: readonly { id?: string | null }[] | null | undefined, id: string | null | undefined): number {
  const index = handles?.findIndex((handle) => handle.id === id) ?? 0;
  return Math.max(index, 0);
}

export const PortEdge = memo(function PortEdge(props: EdgeProps<FlowEdge>) {
  const { id, data, selected, source, target, sourceHandleId, targetHandleId, sourceX, sourceY, targetX, targetY } = props;
  const route = useRoute(id);
  const routed = routeFits(route, { x: sourceX, y: sourceY }, { x: targetX, y: targetY });
  const path = routed ? roundedPath(route.points) : getSmoothStepPath({ ...props, borderRadius: 10, offset: 16 })[0];
  const row = useStore((state) => portIndex(state.nodeLookup.get(source)?.internals.handleBounds?.source, sourceHandleId)) % 2;
  const problems = useEditor((state) => state.problemsByEdge[id]);
  const added = useEditor((state) =>
    isAdded(state.diff, { source, target, sourceHandle: sourceHandleId, targetHandle: targetHandleId }),
  );
  const label = data?.label ?? "";
  const classes = ["wf-edge", selected ? "selected" : "", problems ? "broken" : "", added ? "diff-added" : ""].join(" ");
  return (
    <>
      <BaseEdge id={id} path={path} className={classes} interactionWidth={16} data-routed={routed ? "true" : "false"} />
      {(label || problems) && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label nodrag nopan${problems ? " broken" : ""}${selected ? " selected" : ""}`}
            style={{ transform: `translate(-50%, 0) translate(${sourceX}px, ${sourceY + LABEL_GAP + row * LABEL_ROW}px)` }}
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

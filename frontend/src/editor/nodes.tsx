// How nodes are drawn. One generic component draws every kind from its catalogue entry; a
// container adds a resizable frame that holds its children, highlighted while something dragged
// over it would go into it, and folds into one node that counts them; a ghost is a node a
// compared version had and the editor no longer has.
import { Handle, type Node, NodeResizer, type NodeProps, Position } from "@xyflow/react";
import { ChevronDown, ChevronRight, CircleAlert, Focus, Plus, TriangleAlert } from "lucide-react";
import { Fragment, memo, type CSSProperties } from "react";
import { useShallow } from "zustand/react/shallow";

import type { Diagnostic, NodeKind } from "../api/types";
import { KindIcon } from "../components/KindIcon";
import { outputHandles, portTakesAnother } from "../document/catalogue";
import { useRun } from "../run/context";
import { type NodeBadge, nodeBadge } from "../run/overlay";
import { CONTAINER_MIN, type FlowEdge, type FlowNode } from "../document/mapping";
import { nodesInside } from "./collapse";
import "./nodes.css";
import { useEditor, useEditorStore } from "./context";
import { useOpenPortPicker } from "./PortPicker";
import { LabelText } from "./labelBreaks";
import { RepeatBadge, useRepeatHighlighted } from "./RepeatBadge";
import type { DiffView, EditorState } from "./store";

const handleIndexCache = new WeakMap<FlowEdge[], Map<string, string>>();

/** The source handles each node's edges use, joined into one string (a cheap, stable value). */
function usedHandles(state: EditorState, nodeId: string): string {
  let index = handleIndexCache.get(state.edges);
  if (!index) {
    const sets = new Map<string, Set<string>>();
    for (const edge of state.edges) {
      const set = sets.get(edge.source) ?? new Set<string>();
      set.add(edge.sourceHandle ?? "out");
      sets.set(edge.source, set);
    }
    index = new Map([...sets].map(([id, set]) => [id, [...set].join("\n")]));
    handleIndexCache.set(state.edges, index);
  }
  return index.get(nodeId) ?? "";
}

const diffStatusCache = new WeakMap<DiffView, Map<string, "added" | "changed">>();

export function diffStatus(diff: DiffView | null, nodeId: string): "added" | "changed" | undefined {
  if (!diff) return undefined;
  let statuses = diffStatusCache.get(diff);
  if (!statuses) {
    statuses = new Map();
    for (const node of diff.diff.nodesAdded) statuses.set(node.id, "added");
    for (const change of diff.diff.nodesChanged) statuses.set(change.node.id, "changed");
    diffStatusCache.set(diff, statuses);
  }
  return statuses.get(nodeId);
}

/** A short line under the label: the first value the kind's schema lists that is filled in. */
function summary(kind: NodeKind | undefined, config: Record<string, unknown>): string {
  const order = Object.keys(kind?.config_schema.properties ?? {});
  for (const key of [...order, ...Object.keys(config)]) {
    const value = config[key];
    if (typeof value === "string" && value.trim()) return value;
    if (Array.isArray(value) && value.length) {
      const first = value[0] as Record<string, unknown>;
      if (first && typeof first === "object") {
        const texts = Object.values(first).filter((v): v is string => typeof v === "string" && v !== "");
        if (texts.length) return texts.join(" = ") + (value.length > 1 ? ` (+${value.length - 1})` : "");
      }
    }
  }
  return "";
}

function ProblemMarker({ problems }: { problems: Diagnostic[] }) {
  const error = problems.some((problem) => problem.severity === "error");
  return (
    <div className={`node-problem ${error ? "error" : "warning"}`} data-testid="node-problem">
      {error ? <CircleAlert size={14} /> : <TriangleAlert size={14} />}
      <div className="node-problem-popover" role="tooltip">
        {problems.map((problem, index) => (
          <p key={index}>
            <code>{problem.code}</code> {problem.message}
          </p>
        ))}
      </div>
    </div>
  );
}

function OutputHandles({
  kind,
  node,
  handlesKey,
  nodeId,
}: {
  kind?: NodeKind;
  node: FlowNode["data"];
  handlesKey: string;
  /** The node on the canvas; without it (a ghost) the ports offer no "+". */
  nodeId?: string;
}) {
  const openPicker = useOpenPortPicker();
  const used = handlesKey ? handlesKey.split("\n") : [];
  const handles = outputHandles(kind, node.config, used);
  // a connected port is named by its edge's label; an open one carries its name itself
  const labelled = handles.length > 1 || (kind?.outputs[0]?.prefix ?? false);
  const name = node.label || kind?.label || node.kind;
  return (
    <>
      {handles.map((handle, index) => {
        const left = `${((index + 1) / (handles.length + 1)) * 100}%`;
        const title = `Add a node after ${name}${labelled ? ` (${handle.label})` : ""}`;
        return (
          <Fragment key={handle.id}>
            <Handle
              id={handle.id}
              type="source"
              position={Position.Bottom}
              style={{ left }}
              className="port"
              data-port={handle.id}
              title={handle.label}
            >
              {labelled && !used.includes(handle.id) && <span className="port-label">{handle.label}</span>}
            </Handle>
            {/* a port that leads to one node offers no "+" once it does */}
            {nodeId && openPicker && portTakesAnother(kind, handle.id, used) && (
              <button
                type="button"
                className="port-add nodrag nopan"
                style={{ left }}
                data-port-add={handle.id}
                aria-label={title}
                aria-haspopup="dialog"
                title={title}
                onClick={(event) => {
                  event.stopPropagation();
                  openPicker({ nodeId, handle: handle.id, title, anchor: event.currentTarget });
                }}
                onKeyDown={(event) => {
                  // the node's own keys (arrows move it) are not the button's
                  if (event.key.startsWith("Arrow")) event.stopPropagation();
                }}
              >
                <Plus size={12} strokeWidth={2.5} />
              </button>
            )}
          </Fragment>
        );
      })}
    </>
  );
}

const byIdCache = new WeakMap<readonly FlowNode[], Map<string, FlowNode>>();

function nodeById(nodes: readonly FlowNode[]): Map<string, FlowNode> {
  let byId = byIdCache.get(nodes);
  if (!byId) {
    byId = new Map(nodes.map((node) => [node.id, node]));
    byIdCache.set(nodes, byId);
  }
  return byId;
}

/** The node's label, kind and config as the editor holds them now. React Flow is handed a node
 * whose label changed only once the label settles (Canvas, flowNodes.ts): the node draws it from
 * the store at once. `handed`: what React Flow was handed, for a node the store no longer has. */
function useNodeData(id: string, handed: FlowNode["data"]): FlowNode["data"] {
  return useEditor((state) => nodeById(state.nodes).get(id)?.data) ?? handed;
}

/** Everything a node reads from the editor's store, in one subscription (a canvas holds many). */
function useNodeView(id: string, data: FlowNode["data"]) {
  const { kind, problems, status, handlesKey } = useEditor(
    useShallow((state: EditorState) => ({
      kind: state.catalogue.kinds.get(data.kind),
      problems: state.problemsByNode[id],
      status: diffStatus(state.diff, id),
      handlesKey: usedHandles(state, id),
    })),
  );
  const runState = useRun((state) => state.nodes[id]);
  const badge = nodeBadge(runState);
  const classes = [
    problems?.some((p) => p.severity === "error") ? "has-error" : problems?.length ? "has-warning" : "",
    status ? `diff-${status}` : "",
    badge ? `in-run ${badge.className}` : "",
  ].join(" ");
  const style = { "--kind-color": kind?.color ?? "#64748b" } as CSSProperties;
  return { kind, problems, classes, style, handlesKey, badge, runStatus: runState?.status };
}

/** The node's state in the shown run: "completed", "attempt 2", "×3". */
function RunBadge({ badge }: { badge: NodeBadge }) {
  return (
    <div className={`node-run-badge ${badge.className}`} data-testid="node-run-badge">
      {badge.label}
      {badge.count && <span className="node-run-count">{badge.count}</span>}
    </div>
  );
}

export const StepNode = memo(function StepNode({ id, data: handed, selected }: NodeProps<FlowNode>) {
  const data = useNodeData(id, handed);
  const { kind, problems, classes, style, handlesKey, badge, runStatus } = useNodeView(id, data);
  const line = summary(kind, data.config);
  return (
    <div
      className={`wf-node step${selected ? " selected" : ""} ${classes}`}
      style={style}
      data-testid="node"
      data-node-id={id}
      data-kind={data.kind}
      data-run-status={runStatus}
    >
      {badge && <RunBadge badge={badge} />}
      {(kind?.has_input ?? true) && (
        <Handle type="target" id="in" position={Position.Top} className="port port-in" />
      )}
      <div className="node-icon">
        <KindIcon name={kind?.icon ?? "box"} />
      </div>
      <div className="node-text">
        <div className="node-label" title={data.label || kind?.label || data.kind}>
          <LabelText text={data.label || kind?.label || data.kind} />
        </div>
        <div className="node-summary">
          {line ? (
            <code>{line}</code>
          ) : (
            <span className="node-kind">{kind ? (kind.label === data.label ? "" : kind.label) : `unknown kind ${data.kind}`}</span>
          )}
        </div>
      </div>
      {problems && <ProblemMarker problems={problems} />}
      <OutputHandles kind={kind} node={data} handlesKey={handlesKey} nodeId={id} />
    </div>
  );
});

export const ContainerNode = memo(function ContainerNode({ id, data: handed, selected }: NodeProps<FlowNode>) {
  const data = useNodeData(id, handed);
  const { kind, problems, classes, style, handlesKey, badge, runStatus } = useNodeView(id, data);
  const store = useEditorStore();
  const dropTarget = useEditor((state) => state.dropTargets.includes(id));
  const opened = useEditor((state) => state.opened === id);
  // the container drilled into is drawn open, whether or not the document keeps it folded
  const collapsed = useEditor((state) => state.collapsed.has(id)) && !opened;
  const highlighted = useRepeatHighlighted(id);
  const inside = useEditor((state) => (collapsed ? (nodesInside(state.nodes).get(id) ?? 0) : 0));
  const line = summary(kind, data.config);
  const name = data.label || kind?.label || data.kind;
  return (
    <div
      className={`wf-node container${collapsed ? " collapsed" : ""}${selected ? " selected" : ""}${dropTarget ? " drop-target" : ""}${highlighted ? " repeat-highlight" : ""}${opened ? " opened" : ""} ${classes}`}
      style={style}
      data-testid="node"
      data-node-id={id}
      data-kind={data.kind}
      data-run-status={runStatus}
    >
      {badge && <RunBadge badge={badge} />}
      <NodeResizer
        isVisible={Boolean(selected) && !collapsed}
        minWidth={CONTAINER_MIN.width}
        minHeight={CONTAINER_MIN.height}
        lineClassName="resize-line"
        handleClassName="resize-handle"
        onResizeStart={() => store.getState().beginGesture()}
        onResizeEnd={() => store.getState().endGesture()}
      />
      {(kind?.has_input ?? true) && (
        <Handle type="target" id="in" position={Position.Top} className="port port-in" />
      )}
      <div
        className="container-header"
        onDoubleClick={(event) => {
          // a double-click on the header drills in (and, as on any node, opens its properties)
          if (!opened && !(event.target instanceof Element && event.target.closest("button"))) {
            store.getState().openContainer(id);
          }
        }}
      >
        {/* the container focused on is shown open: folding it would show nothing */}
        {!opened && (
          <button
            type="button"
            className="container-toggle nodrag"
            aria-expanded={!collapsed}
            aria-label={`${collapsed ? "Expand" : "Collapse"} ${name}`}
            title={`${collapsed ? "Expand" : "Collapse"} (${collapsed ? "+" : "-"} on the selected container)`}
            onClick={(event) => {
              event.stopPropagation();
              store.getState().setCollapsed([id], !collapsed);
            }}
          >
            {collapsed ? <ChevronRight size={14} /> : <ChevronDown size={14} />}
          </button>
        )}
        <span className="node-icon small">
          <KindIcon name={kind?.icon ?? "box"} size={14} />
        </span>
        <span className="node-label" title={name}>
          {name}
        </span>
        <RepeatBadge id={id} />
        {!collapsed && <span className="container-kind">{line ? <code>{line}</code> : kind?.label}</span>}
        {problems && <ProblemMarker problems={problems} />}
        {!opened && (
          <button
            type="button"
            className="container-open nodrag"
            aria-label={`Focus on ${name}`}
            title="Focus: show only what it holds (Enter on the selected container, or double-click its header)"
            data-testid="container-open"
            onClick={(event) => {
              event.stopPropagation();
              store.getState().openContainer(id);
            }}
          >
            <Focus size={14} />
          </button>
        )}
      </div>
      {collapsed && (
        <div className="container-count" data-testid="collapsed-count">
          {inside} step{inside === 1 ? "" : "s"} inside
          {line && <code>{line}</code>}
        </div>
      )}
      {dropTarget && (
        <div className="drop-hint" data-testid="drop-hint">
          Drop to put it in {data.label || kind?.label}
        </div>
      )}
      <OutputHandles kind={kind} node={data} handlesKey={handlesKey} nodeId={id} />
    </div>
  );
});

export type GhostNode = Node<
  { label: string; kind: string; config: Record<string, unknown>; width: number; height: number },
  "ghost"
>;

export const GhostNodeView = memo(function GhostNodeView({ data }: NodeProps<GhostNode>) {
  const kind = useEditor((state) => state.catalogue.kinds.get(data.kind));
  return (
    <div
      className="wf-node ghost diff-removed"
      style={{ width: data.width, height: data.height }}
      data-testid="ghost-node"
      title="removed since the compared version"
    >
      <Handle type="target" id="in" position={Position.Top} className="port port-in" isConnectable={false} />
      <div className="node-icon">
        <KindIcon name={kind?.icon ?? "box"} />
      </div>
      <div className="node-text">
        <div className="node-label">{data.label}</div>
        <div className="node-summary">removed</div>
      </div>
      <OutputHandles kind={kind} node={{ kind: data.kind, label: data.label, config: data.config }} handlesKey="" />
    </div>
  );
});

// The canvas: React Flow fed from the store, with drops from the palette, connection checks
// that explain a refusal, drag-and-drop into containers, and the diff's ghosts.
import {
  Background,
  BackgroundVariant,
  ConnectionLineType,
  Controls,
  type FinalConnectionState,
  MiniMap,
  ReactFlow,
  type IsValidConnection,
  type Node,
  type OnConnect,
  useReactFlow,
} from "@xyflow/react";
import { type DragEvent, useCallback, useEffect, useMemo, useState } from "react";

import { absolutePosition, documentToFlow, type FlowEdge, type FlowNode, nodeSize } from "../document/mapping";
import { connectionRefusal } from "../document/rules";
import { useEditor, useEditorStore } from "./context";
import { GhostEdgeView, type GhostEdge, PortEdge } from "./edges";
import { ContainerNode, GhostNodeView, type GhostNode, StepNode } from "./nodes";
import type { DiffView, EditorState } from "./store";

export const KIND_MIME = "application/x-wfd-kind";

const nodeTypes = { step: StepNode, container: ContainerNode, ghost: GhostNodeView };
const edgeTypes = { port: PortEdge, ghost: GhostEdgeView };
const GHOST = "ghost:";

function ghostsOf(diff: DiffView | null, state: EditorState): { nodes: GhostNode[]; edges: GhostEdge[] } {
  if (!diff) return { nodes: [], edges: [] };
  const other = documentToFlow(diff.other, state.catalogue);
  const byId = new Map(other.nodes.map((node) => [node.id, node]));
  const removed = new Set(diff.diff.nodesRemoved.map((node) => node.id));
  const nodes: GhostNode[] = other.nodes
    .filter((node) => removed.has(node.id))
    .map((node) => {
      const size = nodeSize(node);
      return {
        id: GHOST + node.id,
        type: "ghost",
        position: absolutePosition(node, byId),
        data: { label: node.data.label, kind: node.data.kind, config: node.data.config, ...size },
        selectable: false,
        draggable: false,
        connectable: false,
        zIndex: -2,
      };
    });
  const live = new Set(state.nodes.map((node) => node.id));
  const end = (id: string) => (live.has(id) ? id : removed.has(id) ? GHOST + id : null);
  const edges: GhostEdge[] = [];
  for (const edge of diff.diff.edgesRemoved) {
    const source = end(edge.source);
    const target = end(edge.target);
    if (!source || !target) continue;
    edges.push({
      id: `${GHOST}${edge.id}:${edges.length}`,
      type: "ghost",
      source,
      sourceHandle: edge.source_handle,
      target,
      targetHandle: edge.target_handle,
      selectable: false,
      data: { label: "" },
    });
  }
  return { nodes, edges };
}

export function Canvas() {
  const store = useEditorStore();
  const nodes = useEditor((state) => state.nodes);
  const edges = useEditor((state) => state.edges);
  const diff = useEditor((state) => state.diff);
  const focus = useEditor((state) => state.focus);
  const onNodesChange = useEditor((state) => state.onNodesChange);
  const onEdgesChange = useEditor((state) => state.onEdgesChange);
  const { screenToFlowPosition, setCenter, getZoom } = useReactFlow();

  // an empty canvas keeps its view: fitting it to the first dropped node would jump away
  const [fitOnOpen] = useState(() => store.getState().nodes.length > 0);
  const ghosts = useMemo(() => ghostsOf(diff, store.getState()), [diff, store]);
  const shownNodes = useMemo<Node[]>(
    () => (ghosts.nodes.length ? [...nodes, ...ghosts.nodes] : nodes),
    [nodes, ghosts],
  );
  const shownEdges = useMemo(
    () => (ghosts.edges.length ? [...edges, ...ghosts.edges] : edges),
    [edges, ghosts],
  );

  useEffect(() => {
    if (!focus) return;
    const state = store.getState();
    const byId = new Map(state.nodes.map((node) => [node.id, node]));
    const node = byId.get(focus.nodeId);
    if (!node) return;
    const at = absolutePosition(node, byId);
    const size = nodeSize(node);
    void setCenter(at.x + size.width / 2, at.y + size.height / 2, {
      zoom: Math.max(getZoom(), 0.9),
      duration: 250,
    });
  }, [focus, store, setCenter, getZoom]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(KIND_MIME)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(KIND_MIME);
      if (!kind) return;
      event.preventDefault();
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      store.getState().addNode(kind, point);
    },
    [screenToFlowPosition, store],
  );

  const onConnect = useCallback<OnConnect>(
    (connection) => {
      const refusal = store.getState().connect(connection);
      if (refusal) store.getState().notify(refusal, "error");
    },
    [store],
  );

  const isValidConnection = useCallback<IsValidConnection<FlowEdge | GhostEdge>>(
    (connection) => {
      const state = store.getState();
      const byId = new Map(state.nodes.map((node) => [node.id, node]));
      return (
        connectionRefusal(
          {
            source: connection.source,
            sourceHandle: connection.sourceHandle ?? null,
            target: connection.target,
            targetHandle: connection.targetHandle ?? null,
          },
          byId,
          state.edges,
          state.catalogue,
        ) === null
      );
    },
    [store],
  );

  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, connection: FinalConnectionState) => {
      if (connection.isValid || !connection.fromNode || !connection.toNode) return;
      const from = connection.fromHandle;
      const to = connection.toHandle;
      const outgoing = from?.type !== "target";
      const state = store.getState();
      const byId = new Map(state.nodes.map((node) => [node.id, node]));
      const refusal = connectionRefusal(
        outgoing
          ? {
              source: connection.fromNode.id,
              sourceHandle: from?.id ?? null,
              target: connection.toNode.id,
              targetHandle: to?.id ?? "in",
            }
          : {
              source: connection.toNode.id,
              sourceHandle: to?.id ?? null,
              target: connection.fromNode.id,
              targetHandle: from?.id ?? "in",
            },
        byId,
        state.edges,
        state.catalogue,
      );
      if (refusal) state.notify(refusal, "error");
    },
    [store],
  );

  const large = nodes.length > 300;

  return (
    <ReactFlow<Node, FlowEdge | GhostEdge>
      nodes={shownNodes}
      edges={shownEdges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={(changes) =>
        onNodesChange(changes.filter((change) => !("id" in change) || !change.id.startsWith(GHOST)) as never)
      }
      onEdgesChange={(changes) =>
        onEdgesChange(changes.filter((change) => !("id" in change) || !change.id.startsWith(GHOST)) as never)
      }
      onConnect={onConnect}
      onConnectEnd={onConnectEnd}
      isValidConnection={isValidConnection}
      onNodeDragStart={() => store.getState().beginGesture()}
      onNodeDragStop={(_event, _node, dragged) => store.getState().endGesture(dragged.map((node) => node.id))}
      onSelectionDragStart={() => store.getState().beginGesture()}
      onSelectionDragStop={(_event, dragged) => store.getState().endGesture(dragged.map((node) => node.id))}
      onDrop={onDrop}
      onDragOver={onDragOver}
      deleteKeyCode={null}
      selectionKeyCode="Shift"
      multiSelectionKeyCode={["Shift", "Meta", "Control"]}
      connectionLineType={ConnectionLineType.SmoothStep}
      snapToGrid
      snapGrid={[8, 8]}
      minZoom={0.05}
      maxZoom={2}
      fitView={fitOnOpen}
      fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
      onlyRenderVisibleElements={large}
      proOptions={{ hideAttribution: true }}
    >
      <Background variant={BackgroundVariant.Dots} gap={16} size={1} color="#cbd5e1" />
      <MiniMap
        style={{ width: 168, height: 112 }}
        pannable
        zoomable
        nodeStrokeWidth={2}
        nodeColor={(node) => minimapColor(store.getState(), node as FlowNode)}
        maskColor="rgba(241, 245, 249, 0.7)"
      />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

function minimapColor(state: EditorState, node: FlowNode): string {
  if (node.type === ("ghost" as never)) return "#fecaca";
  if (node.type === "container") return "#e2e8f0";
  return state.catalogue.kinds.get(node.data?.kind)?.color ?? "#94a3b8";
}

// The canvas: React Flow fed from the store, with drops from the palette, connection checks
// that explain a refusal, drag-and-drop into containers (the container that would take a dragged
// node in is highlighted), collapsed containers, and the diff's ghosts.
import {
  Background,
  BackgroundVariant,
  ConnectionLineType,
  Controls,
  type EdgeChange,
  type FinalConnectionState,
  MiniMap,
  ReactFlow,
  type IsValidConnection,
  type Node,
  type NodeChange,
  type NodeHandle,
  type OnConnect,
  Position,
  useReactFlow,
  useStoreApi,
} from "@xyflow/react";
import {
  type DragEvent,
  type KeyboardEvent,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";

import { absolutePosition, documentToFlow, type FlowEdge, type FlowNode, nodeSize } from "../document/mapping";
import { outputHandles } from "../document/catalogue";
import { connectionRefusal } from "../document/rules";
import { collapsedView } from "./collapse";
import { OpenedBanner, useOpenKeys } from "./OpenedBanner";
import { RepeatsProvider } from "./RepeatBadge";
import { openedView } from "./opened";
import { useEditor, useEditorStore } from "./context";
import { RoutesContext, useEdgeRouting } from "./edgeRoutes";
import { isEditableTarget } from "./hooks";
import { GhostEdgeView, type GhostEdge, PortEdge } from "./edges";
import { type FlowHolds, keepUnusedChanges, NO_HANDLES, portsOf, usedHandles } from "./flowNodes";
import { openingViewport } from "./layout";
import { type PortPick, PortPicker, PortPickerContext } from "./PortPicker";
import { ContainerNode, GhostNodeView, type GhostNode, StepNode } from "./nodes";
import { containerPath, type DiffView, type EditorState, openedContainer, selectedNodeIds } from "./store";

export const KIND_MIME = "application/x-wfd-kind";

const nodeTypes = { step: StepNode, container: ContainerNode, ghost: GhostNodeView };
const edgeTypes = { port: PortEdge, ghost: GhostEdgeView };
const GHOST = "ghost:";
const MULTI_SELECTION_KEYS = ["Shift", "Meta", "Control"];
const SNAP_GRID: [number, number] = [8, 8];
const PRO_OPTIONS = { hideAttribution: true };
const MINIMAP_STYLE = { width: 168, height: 112 };
/** From this many nodes on, only the nodes in view are drawn. */
const LARGE_GRAPH = 300;
/** How long a node's label stays unchanged before React Flow is handed it: the node's and the
 * edges' announced labels follow it then. */
const LABELS_SETTLE_MS = 250;

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

const ARROWS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"]);

/** A key React Flow moves the selected nodes with: an arrow key on a focused node or selection
 * box (never one typed in a field). */
function movesNodes(event: KeyboardEvent): boolean {
  if (!ARROWS.has(event.key) || isEditableTarget(event.target)) return false;
  return (
    event.target instanceof Element &&
    event.target.closest(".react-flow__node, .react-flow__nodesselection-rect") !== null
  );
}

/** `-` folds the selected containers, `+` (or `=`) unfolds them: keys typed outside any field,
 * without Ctrl, Alt or Meta. */
function useCollapseKeys() {
  const store = useEditorStore();
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.ctrlKey || event.altKey || event.metaKey || isEditableTarget(event.target)) return;
      const fold = event.key === "-" ? true : event.key === "+" || event.key === "=" ? false : null;
      if (fold === null) return;
      const state = store.getState();
      // the container focused on stays open
      const containers = state.nodes.filter(
        (node) => node.selected && node.type === "container" && node.id !== state.opened,
      );
      if (!containers.length) return;
      event.preventDefault();
      state.setCollapsed(
        containers.map((node) => node.id),
        fold,
      );
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store]);
}

/** `onOpenNode`: a node was double-clicked, to show its properties. */
export function Canvas({ onOpenNode }: { onOpenNode(): void }) {
  const store = useEditorStore();
  // the container drilled into is drawn open, whether or not the document keeps it folded
  const isCollapsed = useCallback(
    (id: string) => store.getState().collapsed.has(id) && store.getState().opened !== id,
    [store],
  );
  const routes = useEdgeRouting(isCollapsed);
  const [pick, setPick] = useState<PortPick | null>(null);
  // the "+" that opened the picker closes it again
  const openPicker = useCallback(
    (next: PortPick) => setPick((current) => (current?.anchor === next.anchor ? null : next)),
    [],
  );
  const closePicker = useCallback(() => setPick(null), []);
  useOpenKeys();
  return (
    <RoutesContext.Provider value={routes}>
      <RepeatsProvider>
        <PortPickerContext.Provider value={openPicker}>
          <FlowCanvas onOpenNode={onOpenNode} />
        </PortPickerContext.Provider>
      </RepeatsProvider>
      {pick && <PortPicker key={`${pick.nodeId}\n${pick.handle}`} pick={pick} onClose={closePicker} />}
      <OpenedBanner />
    </RoutesContext.Provider>
  );
}

function FlowCanvas({ onOpenNode }: { onOpenNode(): void }) {
  const store = useEditorStore();
  const nodes = useEditor((state) => state.nodes);
  const edges = useEditor((state) => state.edges);
  const diff = useEditor((state) => state.diff);
  const focus = useEditor((state) => state.focus);
  const collapsed = useEditor((state) => state.collapsed);
  const opened = useEditor((state) => openedContainer(state)?.id ?? null);
  const onNodesChange = useEditor((state) => state.onNodesChange);
  const onEdgesChange = useEditor((state) => state.onEdgesChange);
  const { screenToFlowPosition, setCenter, getZoom, setViewport, getViewport, fitView } = useReactFlow();
  const flowStore = useStoreApi();
  useCollapseKeys();
  // a drag in progress is its own gesture: arrow keys pressed meanwhile join it
  const dragging = useRef(false);
  const beginDrag = useCallback(() => {
    dragging.current = true;
    store.getState().beginGesture();
  }, [store]);
  const endDrag = useCallback(
    (dragged: Node[]) => {
      dragging.current = false;
      store.getState().endGesture(dragged.map((node) => node.id), { dropped: true });
    },
    [store],
  );
  // while dragging, the container that would take the nodes in shows itself
  const previewDrop = useCallback(
    (dragged: Node[]) => store.getState().previewDrop(dragged.map((node) => node.id)),
    [store],
  );
  // React Flow moves the selected nodes by itself on an arrow key (in the node's own handler,
  // between these two): around it, the move becomes a gesture like a drag, and a burst of
  // presses on one selection is one undo step.
  const onKeyDownCapture = useCallback(
    (event: KeyboardEvent) => {
      if (!dragging.current && movesNodes(event)) store.getState().beginGesture();
    },
    [store],
  );
  const onKeyDown = useCallback(
    (event: KeyboardEvent) => {
      if (dragging.current || !movesNodes(event)) return;
      const moved = selectedNodeIds(store.getState());
      store.getState().endGesture(moved, { coalesce: `arrows:${moved.join(",")}` });
    },
    [store],
  );

  // A large graph draws only what is in view.
  const [opening] = useState(() => ({ large: store.getState().nodes.length > LARGE_GRAPH }));
  // the minimap of a large graph is drawn once the canvas answers, not before
  const [showMinimap, setShowMinimap] = useState(!opening.large);
  useEffect(() => {
    if (showMinimap) return;
    const timer = setTimeout(() => setShowMinimap(true), 300);
    return () => clearTimeout(timer);
  }, [showMinimap]);
  // drilled into a container: it and the containers around it are drawn open
  const shownCollapsed = useMemo(() => {
    if (!opened) return collapsed;
    const around = containerPath(store.getState().nodes, opened);
    if (!around.some((node) => collapsed.has(node.id))) return collapsed;
    const open = new Set(collapsed);
    for (const node of around) open.delete(node.id);
    return open;
  }, [collapsed, opened, store]);
  const view = useMemo(() => {
    const folded = collapsedView(nodes, edges, shownCollapsed);
    return openedView(folded.nodes, folded.edges, opened);
  }, [nodes, edges, shownCollapsed, opened]);
  // drilling in fits the container to the canvas; coming back out returns to the view before
  const viewportBefore = useRef<{ x: number; y: number; zoom: number } | null>(null);
  const previousOpened = useRef<string | null>(null);
  useEffect(() => {
    const before = previousOpened.current;
    previousOpened.current = opened;
    if (before === opened) return;
    if (!before) viewportBefore.current = getViewport();
    if (!opened) {
      const back = viewportBefore.current;
      viewportBefore.current = null;
      if (back) void setViewport(back, { duration: 200 });
      return;
    }
    // once React Flow has taken in the nodes drawn for it
    requestAnimationFrame(() => {
      void fitView({ nodes: [{ id: opened }], padding: 0.08, duration: 200, maxZoom: 1.25 });
    });
  }, [opened, getViewport, setViewport, fitView]);
  // A graph opens whole when its labels can be read so, else on its entry (Start and what
  // follows) at a readable zoom, the minimap showing the rest. An empty canvas keeps its view:
  // fitting it to the first dropped node would jump away.
  const onInit = useCallback(() => {
    const state = store.getState();
    const opened = collapsedView(state.nodes, state.edges, state.collapsed);
    const { width, height } = flowStore.getState();
    const viewport = openingViewport(opened.nodes, opened.edges, {
      width: width || window.innerWidth,
      height: height || window.innerHeight,
    });
    if (viewport) void setViewport(viewport);
  }, [store, flowStore, setViewport]);
  const ghosts = useMemo(() => ghostsOf(diff, store.getState()), [diff, store]);
  // one function for the canvas's life: a new one each render would redraw every minimap node
  const minimapNodeColor = useCallback((node: Node) => minimapColor(store.getState(), node as FlowNode), [store]);
  const edgesForHandles = useEditor((state) => (opening.large ? state.edges : null));
  const drawnNodes = useMemo<FlowNode[]>(() => {
    const state = store.getState();
    return (edgesForHandles ? withKnownHandles(view.nodes, edgesForHandles, state) : view.nodes).map((node) =>
      announced(node, state),
    );
  }, [view, edgesForHandles, store]);
  // React Flow is handed a node anew only for a change it has a use for (flowNodes.ts): a
  // keystroke in a label is drawn by the node itself, from the editor's store
  const holds = useMemo<FlowHolds>(
    () => ({
      measured: (id) => flowStore.getState().nodeLookup.get(id)?.measured,
      ports: (node) => portsOf(store.getState(), node),
    }),
    [flowStore, store],
  );
  const handedNodes = useHeldNodes(drawnNodes, holds);
  const shownNodes = useMemo<readonly Node[]>(
    () => (ghosts.nodes.length ? [...handedNodes, ...ghosts.nodes] : handedNodes),
    [handedNodes, ghosts],
  );
  // A keystroke in a node's field changes the nodes, not the edges: the edges handed to React
  // Flow stay the same array then, so it rebuilds none of its edge lookups (O(edges) each time).
  // Their announced labels (the names of the nodes they join) follow a renamed node once its
  // label has stopped changing for a moment.
  const labelledNodes = useSettled(view.nodes, LABELS_SETTLE_MS);
  const previousEdges = useRef<(FlowEdge | GhostEdge)[]>([]);
  const shownEdges = useMemo(() => {
    const labels = new Map(labelledNodes.map((node) => [node.id, node.data.label || node.id]));
    const drawn = view.edges.map((edge) => announcedEdge(edge, labels));
    const next = ghosts.edges.length ? [...drawn, ...ghosts.edges] : drawn;
    const kept = sameItems(previousEdges.current, next) ? previousEdges.current : next;
    previousEdges.current = kept;
    return kept;
  }, [view.edges, labelledNodes, ghosts]);

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

  const onDragOver = useCallback(
    (event: DragEvent) => {
      if (!event.dataTransfer.types.includes(KIND_MIME)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      store.getState().previewDropAt(screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [screenToFlowPosition, store],
  );

  const onDragLeave = useCallback(
    (event: DragEvent) => {
      // leaving one element of the canvas for another is still over the canvas
      const to = event.relatedTarget;
      if (to instanceof Element && event.currentTarget.contains(to)) return;
      store.getState().previewDropAt(null);
    },
    [store],
  );

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

  /**
   * A connection dropped where React Flow made none: onto a port it refused, or onto a node's
   * body. A node's body takes an outgoing connection at its input (or says why it cannot).
   */
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, connection: FinalConnectionState) => {
      if (connection.isValid || !connection.fromNode) return;
      const from = connection.fromHandle;
      const outgoing = from?.type !== "target";
      let other = connection.toNode?.id;
      let otherHandle = connection.toHandle?.id ?? null;
      if (!other && outgoing) {
        const point = "changedTouches" in event ? event.changedTouches[0] : event;
        const element = point && document.elementFromPoint(point.clientX, point.clientY);
        other = element?.closest<HTMLElement>(".react-flow__node")?.dataset.id;
        otherHandle = "in";
        // letting go over the node the drag began on is giving up, not a mistake
        if (!other || other.startsWith(GHOST) || other === connection.fromNode.id) return;
      }
      if (!other) return;
      const proposed = outgoing
        ? { source: connection.fromNode.id, sourceHandle: from?.id ?? null, target: other, targetHandle: otherHandle ?? "in" }
        : { source: other, sourceHandle: otherHandle, target: connection.fromNode.id, targetHandle: from?.id ?? "in" };
      const state = store.getState();
      const refusal = connection.toNode
        ? connectionRefusal(proposed, new Map(state.nodes.map((node) => [node.id, node])), state.edges, state.catalogue)
        : state.connect(proposed);
      if (refusal) state.notify(refusal, "error");
    },
    [store],
  );

  // Every prop handed to React Flow keeps its identity from one render to the next: React Flow
  // copies a changed one into its store, and each such copy asks every subscriber of that store
  // (a minimap node per node, the visible edges, ...) again, several times per keystroke.
  const onFlowNodesChange = useCallback(
    (changes: NodeChange<Node>[]) =>
      onNodesChange(changes.filter((change) => !("id" in change) || !change.id.startsWith(GHOST)) as never),
    [onNodesChange],
  );
  const onFlowEdgesChange = useCallback(
    (changes: EdgeChange<FlowEdge | GhostEdge>[]) =>
      onEdgesChange(changes.filter((change) => !("id" in change) || !change.id.startsWith(GHOST)) as never),
    [onEdgesChange],
  );
  const onNodeDoubleClick = useCallback(
    (_event: unknown, node: Node) => {
      if (!node.id.startsWith(GHOST)) onOpenNode();
    },
    [onOpenNode],
  );
  const onNodeDrag = useCallback(
    (_event: unknown, _node: Node, dragged: Node[]) => previewDrop(dragged),
    [previewDrop],
  );
  const onNodeDragStop = useCallback((_event: unknown, _node: Node, dragged: Node[]) => endDrag(dragged), [endDrag]);
  const onSelectionDrag = useCallback((_event: unknown, dragged: Node[]) => previewDrop(dragged), [previewDrop]);
  const onSelectionDragStop = useCallback((_event: unknown, dragged: Node[]) => endDrag(dragged), [endDrag]);

  return (
    <ReactFlow<Node, FlowEdge | GhostEdge>
      nodes={shownNodes as Node[]}
      edges={shownEdges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={onFlowNodesChange}
      onEdgesChange={onFlowEdgesChange}
      onConnect={onConnect}
      onNodeDoubleClick={onNodeDoubleClick}
      onConnectEnd={onConnectEnd}
      isValidConnection={isValidConnection}
      onNodeDragStart={beginDrag}
      onNodeDrag={onNodeDrag}
      onNodeDragStop={onNodeDragStop}
      onSelectionDragStart={beginDrag}
      onSelectionDrag={onSelectionDrag}
      onSelectionDragStop={onSelectionDragStop}
      onKeyDownCapture={onKeyDownCapture}
      onKeyDown={onKeyDown}
      onDrop={onDrop}
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      deleteKeyCode={null}
      selectionKeyCode="Shift"
      multiSelectionKeyCode={MULTI_SELECTION_KEYS}
      connectionLineType={ConnectionLineType.SmoothStep}
      snapToGrid
      snapGrid={SNAP_GRID}
      minZoom={0.05}
      maxZoom={2}
      onInit={onInit}
      onlyRenderVisibleElements={opening.large || nodes.length > LARGE_GRAPH}
      proOptions={PRO_OPTIONS}
    >
      <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
      {showMinimap && (
        <MiniMap style={MINIMAP_STYLE} pannable zoomable nodeStrokeWidth={2} nodeColor={minimapNodeColor} />
      )}
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

const PORT_SIZE = 10;
const handlesCache = new WeakMap<FlowNode, { key: string; node: FlowNode }>();

/**
 * React Flow draws every node once to measure its ports before it leaves out those not in view;
 * on a large graph that first pass is most of the cost of opening it. Nodes whose size and ports
 * are known from the catalogue and the stylesheet (a step is STEP_WIDTH x STEP_HEIGHT, ports sit
 * centred on its edges) carry them, so only the nodes in view are drawn. A drawn node is
 * measured as usual and its measurement replaces these.
 */
function withKnownHandles(nodes: FlowNode[], edges: FlowEdge[], state: EditorState): FlowNode[] {
  const used = usedHandles(edges);
  return nodes.map((node) => {
    const ports = used.get(node.id) ?? NO_HANDLES;
    const cached = handlesCache.get(node);
    if (cached && cached.key === ports.key) return cached.node;
    const kind = state.catalogue.kinds.get(node.data.kind);
    const { width, height } = nodeSize(node);
    const outputs = outputHandles(kind, node.data.config, ports.ids);
    const half = PORT_SIZE / 2;
    const handles: NodeHandle[] = outputs.map((handle, index) => ({
      id: handle.id,
      type: "source",
      position: Position.Bottom,
      x: ((index + 1) / (outputs.length + 1)) * width - half,
      y: height - half,
      width: PORT_SIZE,
      height: PORT_SIZE,
    }));
    if (kind?.has_input ?? true) {
      handles.push({
        id: "in",
        type: "target",
        position: Position.Top,
        x: width / 2 - half,
        y: -half,
        width: PORT_SIZE,
        height: PORT_SIZE,
      });
    }
    const known: FlowNode = { ...node, handles, initialWidth: width, initialHeight: height };
    handlesCache.set(node, { key: ports.key, node: known });
    return known;
  });
}

function minimapColor(state: EditorState, node: FlowNode): string {
  if (node.type === ("ghost" as never)) return "var(--error-soft)";
  if (node.type === "container") return "var(--line)";
  return state.catalogue.kinds.get(node.data?.kind)?.color ?? "#94a3b8";
}

const announcedCache = new WeakMap<FlowNode, FlowNode>();

/** A node as a screen reader announces it when it has focus: its kind, then its label
 * ("Activity: Charge card"). */
function announced(node: FlowNode, state: EditorState): FlowNode {
  // a node's kind and label are those of the object: one announcement for it
  const cached = announcedCache.get(node);
  if (cached) return cached;
  const kind = state.catalogue.kinds.get(node.data.kind)?.label ?? node.data.kind;
  const ariaLabel = node.data.label ? `${kind}: ${node.data.label}` : kind;
  const labelled = { ...node, ariaLabel };
  announcedCache.set(node, labelled);
  return labelled;
}

const announcedEdges = new WeakMap<FlowEdge, FlowEdge>();

/** `value` once it has stayed the same for `ms` (the first value at once). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (settled === value) return;
    const timer = setTimeout(() => setSettled(() => value), ms);
    return () => clearTimeout(timer);
  }, [value, settled, ms]);
  return settled;
}

/** The nodes to hand React Flow: `fresh`, but a node whose change React Flow has no use for
 * (flowNodes.ts) stays the one handed before, until `fresh` has stayed the same for
 * LABELS_SETTLE_MS; then React Flow is handed `fresh`, its nodes announcing their new labels. */
function useHeldNodes(fresh: FlowNode[], holds: FlowHolds): readonly Node[] {
  const handed = useRef<readonly Node[]>(fresh);
  const [settled, setSettled] = useState(fresh);
  const { nodes, held } = useMemo(() => {
    const kept = fresh === settled ? { nodes: fresh, held: false } : keepUnusedChanges(handed.current, fresh, holds);
    handed.current = kept.nodes;
    return kept;
  }, [fresh, settled, holds]);
  useEffect(() => {
    if (!held) return;
    const timer = setTimeout(() => setSettled(fresh), LABELS_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [fresh, held]);
  return nodes;
}

/** Whether two arrays hold the same objects in the same order. */
export function sameItems<T>(before: readonly T[], after: readonly T[]): boolean {
  return before.length === after.length && before.every((item, index) => item === after[index]);
}

/** An edge as a screen reader announces it: the labels of the nodes it joins, and its port
 * ("Connection from Large order? (true) to Review"), where React Flow would say their ids. */
function announcedEdge(edge: FlowEdge, labels: ReadonlyMap<string, string>): FlowEdge {
  const port = edge.data?.label ? ` (${edge.data.label})` : "";
  const ariaLabel = `Connection from ${labels.get(edge.source) ?? edge.source}${port} to ${labels.get(edge.target) ?? edge.target}`;
  const cached = announcedEdges.get(edge);
  if (cached?.ariaLabel === ariaLabel) return cached;
  const labelled = { ...edge, ariaLabel };
  announcedEdges.set(edge, labelled);
  return labelled;
}

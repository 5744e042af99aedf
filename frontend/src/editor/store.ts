// The editor's state: one store per open workflow, created by `createEditorStore` and read
// through selectors. Every edit goes through an action here, which records the state before it
// so that undo and redo cover all of them.
import {
  applyEdgeChanges,
  applyNodeChanges,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import { createStore, type StoreApi } from "zustand/vanilla";

import type {
  Diagnostic,
  DocEdge,
  DocNode,
  NodeKind,
  Project,
  ProjectSettings,
  Workflow,
  WorkflowMeta,
} from "../api/types";
import { type Catalogue, edgeLabel, outputHandles } from "../document/catalogue";
import {
  absolutePosition,
  CONTAINER_MIN,
  CONTAINER_PADDING,
  documentToFlow,
  edgeToFlow,
  type FlowEdge,
  type FlowNode,
  fittingSize,
  flowNodeToDocument,
  flowToDocument,
  nodeSize,
  nodeToFlow,
  parentsFirst,
  STEP_HEIGHT,
  STEP_WIDTH,
} from "../document/mapping";
import { connectionRefusal, type ProposedConnection } from "../document/rules";
import type { WorkflowDiff } from "../document/diff";
import type { Completions } from "./completions";
import { type Box, boundsOf, freeOffset, freeSpot, GAP, pushAside } from "./geometry";

/** What undo brings back: the graph, the workflow's settings, the containers shown collapsed
 * and the project's settings. */
export interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** The workflow's own fields but its `ui`, which `collapsed` holds. */
  meta: WorkflowMeta;
  /** Containers drawn folded into one node; saved in the document's `ui.collapsed`. */
  collapsed: ReadonlySet<string>;
  project: ProjectSettings;
  /** Names this state of the document; two snapshots with one tag hold the same document. */
  tag: number;
  /** The container the canvas is drilled into, showing only what it holds (null: the whole
   * workflow). A view of the document, never saved in it nor an edit; see `openedContainer`.
   * Undo and redo keep the view, but for a container they bring back that was focused on (a
   * focused container deleted, then the delete undone): it is focused on again. */
  opened: string | null;
}

export interface ClipboardContent {
  nodes: DocNode[];
  edges: DocEdge[];
}

export interface Notice {
  id: number;
  text: string;
  tone: "info" | "error" | "success";
}

export interface DiffView {
  /** The version compared with the editor's document, e.g. "version 3". */
  title: string;
  diff: WorkflowDiff;
  /** The other document, to draw what it had and the editor no longer has. */
  other: Workflow;
}

export interface EditorInit {
  catalogue: Catalogue;
  projectId: string;
  workflow: Workflow;
  revision: number;
  project: ProjectSettings;
  projectRevision: number;
  /** Every workflow of the project, for validation and for references between workflows;
   * when left out, they are loaded later and given to `setProjectWorkflows`. */
  projectWorkflows?: Workflow[];
}

export interface EditorState extends Snapshot {
  catalogue: Catalogue;
  projectId: string;
  workflowId: string;
  revision: number;
  projectRevision: number;
  projectWorkflows: Workflow[];
  /** False until the project's other workflows are known: validating without them would
   * report references to them as unknown. */
  projectWorkflowsLoaded: boolean;
  past: Snapshot[];
  future: Snapshot[];
  savedTag: number;
  savedProject: ProjectSettings;
  /** The document the server holds as `revision`, as it last answered (loaded, saved or
   * replaced): what a save by delta is computed against. */
  savedDocument: Workflow;
  diagnostics: Diagnostic[];
  problemsByNode: Record<string, Diagnostic[]>;
  problemsByEdge: Record<string, Diagnostic[]>;
  /** The names in scope at each node, as the last validation answered: what fields complete. */
  completions: Completions | null;
  notice: Notice | null;
  diff: DiffView | null;
  /** Asks the canvas to bring a node into view; `seq` changes with every request. */
  focus: { nodeId: string; seq: number } | null;
  /** The containers that take in what is being dragged, if it is let go now. */
  dropTargets: string[];
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  /** Adds the edge, or answers why it cannot be drawn. */
  connect(connection: ProposedConnection): string | null;
  /** Adds a node dropped at `center`: into the container there, if any, at the free place
   * nearest to it. */
  addNode(kind: string, center: XYPosition): string;
  /** Adds a node of `kind` connected from `handle` of `source`, below that port at the nearest
   * free place, in the source's container; selected, one undo step. Answers the new node's id,
   * or why it cannot be added (the port leads to a node already, say). */
  addNodeFromPort(source: string, handle: string, kind: string): { added: string } | { refusal: string };
  /** Adds a node where the user is looking: below the selected node (into the selected
   * container), else in the middle of `view`, at the nearest free place. */
  addNodeInView(kind: string, view: Box): string;
  updateNode(id: string, patch: { label?: string; config?: Record<string, unknown> }, key?: string): void;
  setMeta(meta: WorkflowMeta, key?: string): void;
  setProject(project: ProjectSettings, key?: string): void;
  deleteSelection(): void;
  selectAll(): void;
  select(nodeIds: string[]): void;
  copySelection(): ClipboardContent | null;
  /** Pastes copies at the free place nearest to their originals, outside every container; into
   * a container only when one is selected on its own (and is neither copied nor just pasted). */
  paste(content: ClipboardContent): void;
  /** A drag or a resize begins; it becomes one undo step when it ends having changed anything. */
  beginGesture(): void;
  /** Ends a drag, a resize or a key move of `movedIds`. A node `dropped` by a drag moves into
   * the container under its centre, and out of its own when outside it; one moved by keys may
   * leave its container but never joins one. With `coalesce`, a gesture that follows one of the
   * same key within moments joins its undo step (a burst of arrow keys is one step, as one drag
   * is). A container that grew pushes aside the siblings it came to overlap, in the same step. */
  endGesture(movedIds?: string[], options?: { coalesce?: string; dropped?: boolean }): void;
  /** While nodes are dragged: shows the containers they would join if let go now. */
  previewDrop(movedIds: string[]): void;
  /** While a palette kind is dragged over `point` (null: no longer over the canvas): shows the
   * container it would join. */
  previewDropAt(point: XYPosition | null): void;
  /** Moves nodes where a layout put them; `asSaved` when opening a document drawn without one. */
  applyLayout(
    layout: Map<string, { position: XYPosition; size?: { width: number; height: number } }>,
    options?: { asSaved?: boolean },
  ): void;
  undo(): void;
  redo(): void;
  setDiagnostics(diagnostics: Diagnostic[]): void;
  setCompletions(completions: Completions | null): void;
  notify(text: string, tone?: Notice["tone"]): void;
  dismissNotice(): void;
  /** Selects one node alone and brings it into view, unfolding the containers it is in. */
  focusNode(nodeId: string): void;
  /** Folds the containers among `ids` into one node each (`collapsed`), or unfolds them, as an
   * edit saved with the document; what a folded container holds is no longer selected. */
  setCollapsed(ids: string[], collapsed: boolean): void;
  /** Selects one edge alone and brings it into view. */
  focusEdge(edgeId: string): void;
  /** Drills into a container (null: back to the whole workflow): the canvas shows only what it
   * holds; what lies outside it is no longer selected. Not an edit: nothing to save or undo. */
  openContainer(id: string | null): void;
  setDiff(view: DiffView | null): void;
  /** The server holds `document` (the state tagged `tag`) as `revision`. */
  markSaved(saved: { revision: number; tag: number; document: Workflow }): void;
  /** The server holds `project` as the project's `projectRevision`. */
  markProjectSaved(projectRevision: number, project: ProjectSettings): void;
  /** Replaces the document with one from the server (reload, restore), as the saved state. */
  replaceWorkflow(workflow: Workflow, revision: number, undoable: boolean): void;
  replaceProject(project: ProjectSettings, projectRevision: number): void;
  setProjectWorkflows(workflows: Workflow[]): void;
}

export type EditorStore = StoreApi<EditorState>;

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1500;
/** Where a new node goes below the selected one: room for the edge between them. */
const BELOW = 56;
/** How far pasted copies are shifted from their originals before looking for a free place. */
const PASTE_SHIFT = 40;
const NEW_CONTAINER = { width: 360, height: 220 };

let nextTag = 1;
let nextNotice = 1;

export function isDirty(state: Pick<EditorState, "tag" | "savedTag" | "project" | "savedProject">) {
  return state.tag !== state.savedTag || state.project !== state.savedProject;
}

/** The document the editor holds: the graph, the workflow's fields and, while any container is
 * collapsed, `ui.collapsed` (the containers that still exist, sorted: one view, one text). */
export function workflowDocument(state: Pick<EditorState, "nodes" | "edges" | "meta" | "collapsed">): Workflow {
  const document = flowToDocument(state.nodes, state.edges, state.meta);
  if (!state.collapsed.size) return document;
  const collapsed = state.nodes
    .filter((node) => node.type === "container" && state.collapsed.has(node.id))
    .map((node) => node.id)
    .sort();
  return collapsed.length ? { ...document, ui: { collapsed } } : document;
}

/** The workflow's fields without its `ui`, and the containers it shows collapsed. */
function splitView(meta: WorkflowMeta): { meta: WorkflowMeta; collapsed: ReadonlySet<string> } {
  const { ui, ...rest } = meta;
  return { meta: rest, collapsed: new Set(ui?.collapsed ?? []) };
}

export function projectDocument(state: EditorState): Project {
  const current = workflowDocument(state);
  const workflows = state.projectWorkflows.some((w) => w.id === current.id)
    ? state.projectWorkflows.map((w) => (w.id === current.id ? current : w))
    : [...state.projectWorkflows, current];
  return { schema_version: 1, id: state.projectId, ...state.project, workflows };
}

const openedCache = new WeakMap<FlowNode[], { id: string | null; node: FlowNode | null }>();

/** The container the canvas is drilled into, if it is still in the document (an undo may have
 * taken it away). */
export function openedContainer(state: Pick<EditorState, "nodes" | "opened">): FlowNode | null {
  if (!state.opened) return null;
  const cached = openedCache.get(state.nodes);
  if (cached && cached.id === state.opened) return cached.node;
  const node = state.nodes.find((n) => n.id === state.opened && n.type === "container") ?? null;
  openedCache.set(state.nodes, { id: state.opened, node });
  return node;
}

/** The containers around `id`, outermost first, then `id` itself. */
export function containerPath(nodes: readonly FlowNode[], id: string): FlowNode[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const path: FlowNode[] = [];
  const seen = new Set<string>();
  for (let node = byId.get(id); node && !seen.has(node.id); node = node.parentId ? byId.get(node.parentId) : undefined) {
    seen.add(node.id);
    path.unshift(node);
  }
  return path;
}

export function selectedNodeIds(state: Pick<EditorState, "nodes">): string[] {
  return state.nodes.filter((node) => node.selected).map((node) => node.id);
}

export function createEditorStore(init: EditorInit): EditorStore {
  const graph = documentToFlow(init.workflow, init.catalogue);
  const view = splitView(graph.meta);
  const tag = nextTag++;
  let lastEdit: { key: string; at: number } | null = null;
  let gesture: Snapshot | null = null;
  /** The nodes the last paste selected: a container among them is no target for the next. */
  let lastPasted = new Set<string>();

  return createStore<EditorState>()((set, get) => {
    const snapshot = (): Snapshot => {
      const { nodes, edges, meta, collapsed, project, tag, opened } = get();
      return { nodes, edges, meta, collapsed, project, tag, opened };
    };

    /** The container focused on once undo or redo brings `state` back: the one focused on in
     * it, where this brings that container back; else the one focused on now, if it is still
     * there (a container that is gone is no view). */
    const openedAfter = (state: Snapshot): string | null => {
      const holds = (nodes: FlowNode[], id: string) => nodes.some((node) => node.id === id && node.type === "container");
      const { nodes, opened } = get();
      if (state.opened && holds(state.nodes, state.opened) && !holds(nodes, state.opened)) return state.opened;
      return opened && holds(state.nodes, opened) ? opened : null;
    };

    /** What an edit sets besides its change: the state before it remembered for undo, unless
     * it continues the last one, and a new tag. */
    const recorded = (key?: string): Partial<EditorState> => {
      const now = Date.now();
      if (key && lastEdit && lastEdit.key === key && now - lastEdit.at < COALESCE_MS) {
        lastEdit.at = now;
        return { tag: nextTag++ };
      }
      lastEdit = key ? { key, at: now } : null;
      const past = [...get().past, snapshot()].slice(-HISTORY_LIMIT);
      return { past, future: [], tag: nextTag++ };
    };

    /** Call before an edit: remembers the state it changes, unless it continues the last one. */
    const record = (key?: string) => set(recorded(key));

    const byId = () => new Map(get().nodes.map((node) => [node.id, node]));

    const freshId = (base: string, taken: Set<string>) => {
      const stem = base.replace(/[^A-Za-z0-9_]/g, "_") || "node";
      let n = 1;
      while (taken.has(`${stem}_${n}`)) n += 1;
      const id = `${stem}_${n}`;
      taken.add(id);
      return id;
    };

    const edgeIds = () => new Set(get().edges.map((edge) => edge.id));

    /** The innermost container whose box holds `point`, leaving out `exclude` and what it holds. */
    const containerAt = (point: XYPosition, exclude: Set<string>): FlowNode | undefined =>
      withinOpened(innermostContainerAt(point, exclude));

    /** While the canvas is drilled into a container, nothing lands outside it: `found` if it is
     * that container or inside it, else that container. */
    const withinOpened = (found: FlowNode | undefined): FlowNode | undefined => {
      const opened = openedContainer(get());
      if (!opened) return found;
      if (found && (found.id === opened.id || isInside(found.id, new Set([opened.id]), byId()))) return found;
      return opened;
    };

    const innermostContainerAt = (point: XYPosition, exclude: Set<string>): FlowNode | undefined => {
      const nodes = byId();
      let found: FlowNode | undefined;
      let foundArea = Infinity;
      // a collapsed container shows none of its inside: nothing is dropped into it or into what it holds
      const folded = get().collapsed;
      for (const node of get().nodes) {
        if (node.type !== "container" || exclude.has(node.id) || folded.has(node.id)) continue;
        if (isInside(node.id, exclude, nodes) || (folded.size && isInside(node.id, folded, nodes))) continue;
        const size = nodeSize(node);
        if (holds(node, point, nodes) && size.width * size.height < foundArea) {
          found = node;
          foundArea = size.width * size.height;
        }
      }
      return found;
    };

    /** Containers grow to hold their children; parents grow in turn. */
    const growContainers = (nodes: FlowNode[]): FlowNode[] => {
      let changed = true;
      let result = nodes;
      for (let round = 0; changed && round < 10; round += 1) {
        changed = false;
        result = result.map((node) => {
          if (node.type !== "container") return node;
          const fit = fittingSize(node.id, result);
          const width = Math.max(node.width ?? CONTAINER_MIN.width, fit.width);
          const height = Math.max(node.height ?? CONTAINER_MIN.height, fit.height);
          if (width === node.width && height === node.height) return node;
          changed = true;
          return { ...node, width, height };
        });
      }
      return result;
    };

    /** Grows containers to hold their children, then pushes aside the siblings of each container
     * that came to overlap them by growing past its size in `before`; parents grow in turn. */
    const settle = (nodes: FlowNode[], before: readonly FlowNode[]): FlowNode[] => {
      const previous = new Map(before.map((node) => [node.id, node]));
      let result = growContainers(nodes);
      for (let round = 0; round < 10; round += 1) {
        const moves = new Map<string, XYPosition>();
        for (const container of result) {
          const old = previous.get(container.id);
          if (container.type !== "container" || !old) continue;
          const size = nodeSize(container);
          const oldSize = nodeSize(old);
          if (size.width <= oldSize.width && size.height <= oldSize.height) continue;
          const siblings = result
            .filter((node) => node.id !== container.id && node.parentId === container.parentId)
            .map((node) => ({ id: node.id, box: { ...node.position, ...nodeSize(node), ...moves.get(node.id) } }));
          const pushed = pushAside({ ...old.position, ...oldSize }, { ...container.position, ...size }, siblings);
          for (const [id, at] of pushed) moves.set(id, at);
        }
        if (!moves.size) break;
        result = growContainers(
          result.map((node) => {
            const at = moves.get(node.id);
            return at ? { ...node, position: at } : node;
          }),
        );
      }
      return result;
    };

    /** A container and the containers it sits in. */
    const withAncestors = (node: FlowNode, nodes: ReadonlyMap<string, FlowNode>): Set<string> => {
      const found = new Set([node.id]);
      let parentId = node.parentId;
      while (parentId && !found.has(parentId)) {
        found.add(parentId);
        parentId = nodes.get(parentId)?.parentId;
      }
      return found;
    };

    /** The boxes on the canvas a node placed into `parent` (none: the canvas) must keep clear of:
     * every node but that container and those around it. */
    const obstaclesFor = (parent: FlowNode | undefined): Box[] => {
      const nodes = byId();
      const around = parent ? withAncestors(parent, nodes) : new Set<string>();
      return get()
        .nodes.filter((node) => !around.has(node.id))
        .map((node) => ({ ...absolutePosition(node, nodes), ...nodeSize(node) }));
    };

    /** The least top-left corner, on the canvas, of a node placed into `parent`. */
    const insideCorner = (parent: FlowNode): XYPosition => {
      const at = absolutePosition(parent, byId());
      return { x: at.x + CONTAINER_PADDING.side, y: at.y + CONTAINER_PADDING.top };
    };

    /** Where a node added into a container goes first: below what the container holds. */
    const belowChildren = (container: FlowNode): XYPosition => {
      const corner = insideCorner(container);
      const at = absolutePosition(container, byId());
      let lowest = corner.y - GAP;
      for (const child of get().nodes) {
        if (child.parentId === container.id) {
          lowest = Math.max(lowest, at.y + child.position.y + nodeSize(child).height);
        }
      }
      return { x: corner.x, y: lowest + GAP };
    };

    /** A new node of `kindName` at the free place nearest to `wanted` (its top-left corner on
     * the canvas), inside `parent` if given, selected; not yet on the canvas. */
    const placeNode = (kindName: string, wanted: XYPosition, parent: FlowNode | undefined): FlowNode => {
      const { catalogue } = get();
      const kind = catalogue.kinds.get(kindName);
      const size = newNodeSize(kind);
      const id = freshId(kindName, new Set(get().nodes.map((node) => node.id)));
      const spot = freeSpot(size, obstaclesFor(parent), wanted, parent ? { min: insideCorner(parent) } : {});
      const origin = parent ? absolutePosition(parent, byId()) : { x: 0, y: 0 };
      const document: DocNode = {
        id,
        type: kindName,
        label: uniqueLabel(kind?.label ?? kindName, get().nodes),
        position: { x: Math.round(spot.x - origin.x), y: Math.round(spot.y - origin.y) },
        size: kind?.role === "container" ? size : null,
        parent_id: parent?.id ?? null,
        config: structuredClone(kind?.defaults ?? {}),
      };
      return { ...nodeToFlow(document, catalogue), selected: true };
    };

    /** Puts `node` (from `placeNode`) on the canvas, selected alone, with `edge` if given: one
     * undo step. */
    const commitNode = (node: FlowNode, edge?: FlowEdge): string => {
      const before = get().nodes;
      record();
      const nodes = before.map((n) => (n.selected ? { ...n, selected: false } : n));
      const edges = deselectEdges(get().edges);
      set({
        nodes: settle(orderParentsFirst([...nodes, node]), before),
        edges: edge ? [...edges, edge] : edges,
      });
      return node.id;
    };

    /** Adds a node of `kindName` at the free place nearest to `wanted` (its top-left corner on
     * the canvas), inside `parent` if given, selected alone. */
    const insertNode = (kindName: string, wanted: XYPosition, parent: FlowNode | undefined): string =>
      commitNode(placeNode(kindName, wanted, parent));

    /** The edge a connection the rules accept is drawn as, labelled with its port. */
    const edgeFor = (connection: ProposedConnection, source: FlowNode | undefined): FlowEdge => {
      const handle = connection.sourceHandle ?? "out";
      return {
        id: freshId("e", edgeIds()),
        type: "port",
        source: connection.source,
        sourceHandle: handle,
        target: connection.target,
        targetHandle: connection.targetHandle ?? "in",
        data: { label: edgeLabel(source && get().catalogue.kinds.get(source.data.kind), handle) },
      };
    };

    /** The container a moved node belongs to once let go. Dropped by a drag, the innermost one
     * under its centre; moved by keys, the innermost of its own that still holds its centre. */
    const homeAfterMove = (
      node: FlowNode,
      nodes: ReadonlyMap<string, FlowNode>,
      dropped: boolean,
    ): FlowNode | undefined => {
      const at = absolutePosition(node, nodes);
      const size = nodeSize(node);
      const center = { x: at.x + size.width / 2, y: at.y + size.height / 2 };
      if (dropped) return containerAt(center, new Set([node.id]));
      for (let parent = node.parentId ? nodes.get(node.parentId) : undefined; parent; ) {
        if (holds(parent, center, nodes)) return parent;
        parent = parent.parentId ? nodes.get(parent.parentId) : undefined;
      }
      return withinOpened(undefined);
    };

    /** The moved nodes that are not carried by a moved container. */
    const leadingMoved = (movedIds: string[], nodes: ReadonlyMap<string, FlowNode>): FlowNode[] => {
      const moving = new Set(movedIds);
      return movedIds.flatMap((id) => {
        const node = nodes.get(id);
        return node && !(node.parentId && moving.has(node.parentId)) ? [node] : [];
      });
    };

    const showDropTargets = (ids: string[]) => {
      const shown = get().dropTargets;
      if (ids.length !== shown.length || ids.some((id, index) => id !== shown[index])) set({ dropTargets: ids });
    };

    /** The container a paste goes into: one selected on its own that is neither among the
     * copies' originals nor the last paste's copies (Ctrl+C, Ctrl+V, Ctrl+V of a container puts
     * its copies beside it, never inside). */
    const pasteTarget = (content: ClipboardContent): FlowNode | undefined => {
      const selected = get().nodes.filter((node) => node.selected);
      const only = selected.length === 1 ? selected[0] : undefined;
      if (!only || only.type !== "container" || lastPasted.has(only.id)) return undefined;
      return content.nodes.some((node) => node.id === only.id) ? undefined : only;
    };

    return {
      nodes: graph.nodes,
      edges: graph.edges,
      meta: view.meta,
      collapsed: view.collapsed,
      project: init.project,
      tag,
      catalogue: init.catalogue,
      projectId: init.projectId,
      workflowId: init.workflow.id,
      revision: init.revision,
      projectRevision: init.projectRevision,
      projectWorkflows: init.projectWorkflows ?? [init.workflow],
      projectWorkflowsLoaded: init.projectWorkflows !== undefined,
      past: [],
      future: [],
      savedTag: tag,
      savedProject: init.project,
      savedDocument: init.workflow,
      diagnostics: [],
      problemsByNode: {},
      problemsByEdge: {},
      completions: null,
      notice: null,
      diff: null,
      focus: null,
      opened: null,
      dropTargets: [],

      onNodesChange(changes) {
        // removals go through deleteSelection; sizes and positions are recorded as gestures
        const kept = changes.filter((change) => change.type !== "remove");
        if (kept.length) set({ nodes: applyNodeChanges(kept, get().nodes) });
      },

      onEdgesChange(changes) {
        const kept = changes.filter((change) => change.type !== "remove");
        if (kept.length) set({ edges: applyEdgeChanges(kept, get().edges) });
      },

      connect(connection) {
        const { catalogue, edges } = get();
        const nodes = byId();
        const refusal = connectionRefusal(connection, nodes, edges, catalogue);
        if (refusal) return refusal;
        const edge = edgeFor(connection, nodes.get(connection.source));
        record();
        set({ edges: [...get().edges, edge] });
        return null;
      },

      addNodeFromPort(sourceId, handle, kindName) {
        const { catalogue, edges } = get();
        const nodes = byId();
        const source = nodes.get(sourceId);
        if (!source) return { refusal: `'${sourceId}' is no longer on the canvas` };
        // below the port it leaves from, beside its source: in the same container, if any
        const at = absolutePosition(source, nodes);
        const sourceSize = nodeSize(source);
        const used = edges.filter((edge) => edge.source === sourceId).map((edge) => edge.sourceHandle ?? "out");
        const handles = outputHandles(catalogue.kinds.get(source.data.kind), source.data.config, used);
        const index = Math.max(0, handles.findIndex((h) => h.id === handle));
        const portX = at.x + ((index + 1) / (handles.length + 1)) * sourceSize.width;
        const size = newNodeSize(catalogue.kinds.get(kindName));
        const wanted = { x: portX - size.width / 2, y: at.y + sourceSize.height + BELOW };
        const node = placeNode(kindName, wanted, source.parentId ? nodes.get(source.parentId) : undefined);
        const connection = { source: sourceId, sourceHandle: handle, target: node.id, targetHandle: "in" };
        const refusal = connectionRefusal(connection, new Map([...nodes, [node.id, node]]), edges, catalogue);
        if (refusal) return { refusal };
        return { added: commitNode(node, edgeFor(connection, source)) };
      },

      addNode(kindName, center) {
        const size = newNodeSize(get().catalogue.kinds.get(kindName));
        const wanted = { x: center.x - size.width / 2, y: center.y - size.height / 2 };
        set({ dropTargets: [] });
        return insertNode(kindName, wanted, containerAt(center, new Set()));
      },

      addNodeInView(kindName, view) {
        const nodes = byId();
        const selected = get().nodes.filter((node) => node.selected);
        const anchor = selected.length === 1 ? selected[0] : undefined;
        if (anchor?.type === "container") return insertNode(kindName, belowChildren(anchor), anchor);
        const size = newNodeSize(get().catalogue.kinds.get(kindName));
        if (anchor) {
          const at = absolutePosition(anchor, nodes);
          const anchorSize = nodeSize(anchor);
          const wanted = { x: at.x + (anchorSize.width - size.width) / 2, y: at.y + anchorSize.height + BELOW };
          return insertNode(kindName, wanted, anchor.parentId ? nodes.get(anchor.parentId) : undefined);
        }
        const wanted = {
          x: view.x + (view.width - size.width) / 2,
          y: view.y + (view.height - size.height) / 2,
        };
        return insertNode(kindName, wanted, withinOpened(undefined));
      },

      updateNode(id, patch, key) {
        // one change of the store per keystroke: every subscriber (a node of the canvas each)
        // is asked once; only the nodes change, the edges stay the same array
        const nodes = get().nodes.map((node) => (node.id === id ? { ...node, data: { ...node.data, ...patch } } : node));
        set({ ...recorded(key ? `node:${id}:${key}` : undefined), nodes });
      },

      setMeta(meta, key) {
        set({ ...recorded(key ? `meta:${key}` : undefined), meta });
      },

      setProject(project, key) {
        record(key ? `project:${key}` : undefined);
        set({ project });
      },

      deleteSelection() {
        const { nodes, edges } = get();
        const doomed = new Set(nodes.filter((node) => node.selected).map((node) => node.id));
        // a container takes what it holds with it
        let grew = true;
        while (grew) {
          grew = false;
          for (const node of nodes) {
            if (node.parentId && doomed.has(node.parentId) && !doomed.has(node.id)) {
              doomed.add(node.id);
              grew = true;
            }
          }
        }
        const keptEdges = edges.filter(
          (edge) => !edge.selected && !doomed.has(edge.source) && !doomed.has(edge.target),
        );
        if (!doomed.size && keptEdges.length === edges.length) return;
        record();
        set({ nodes: nodes.filter((node) => !doomed.has(node.id)), edges: keptEdges });
        // the container focused on, deleted: the whole workflow is shown
        const opened = get().opened;
        if (opened && doomed.has(opened)) set({ opened: null });
      },

      selectAll() {
        // drilled into a container, what it holds: nothing hidden is selected (and deleted)
        const opened = openedContainer(get());
        const shown = opened ? new Set([opened.id]) : null;
        const all = byId();
        const wanted = (id: string) => !shown || isInside(id, shown, all);
        set({
          nodes: get().nodes.map((node) => (Boolean(node.selected) === wanted(node.id) ? node : { ...node, selected: wanted(node.id) })),
          edges: get().edges.map((edge) => {
            const take = wanted(edge.source) && wanted(edge.target);
            return Boolean(edge.selected) === take ? edge : { ...edge, selected: take };
          }),
        });
      },

      select(nodeIds) {
        const wanted = new Set(nodeIds);
        set({
          nodes: get().nodes.map((node) =>
            Boolean(node.selected) === wanted.has(node.id) ? node : { ...node, selected: wanted.has(node.id) },
          ),
          edges: deselectEdges(get().edges),
        });
      },

      copySelection() {
        const { nodes, edges } = get();
        const chosen = new Set(nodes.filter((node) => node.selected).map((node) => node.id));
        if (!chosen.size) return null;
        for (const node of nodes) {
          if (isInside(node.id, chosen, byId())) chosen.add(node.id);
        }
        const all = byId();
        const copied = nodes
          .filter((node) => chosen.has(node.id))
          .map((node) => {
            const document = flowNodeToDocument(node);
            if (node.parentId && !chosen.has(node.parentId)) {
              return { ...document, parent_id: null, position: absolutePosition(node, all) };
            }
            return document;
          });
        const copiedEdges = edges
          .filter((edge) => chosen.has(edge.source) && chosen.has(edge.target))
          .map((edge) => ({
            id: edge.id,
            source: edge.source,
            source_handle: edge.sourceHandle ?? "out",
            target: edge.target,
            target_handle: edge.targetHandle ?? "in",
          }));
        return structuredClone({ nodes: copied, edges: copiedEdges });
      },

      paste(content) {
        if (!content.nodes.length) return;
        const { catalogue } = get();
        const before = get().nodes;
        const takenNodes = new Set(before.map((node) => node.id));
        const takenEdges = edgeIds();
        const renamed = new Map<string, string>();
        for (const node of content.nodes) renamed.set(node.id, freshId(node.type, takenNodes));
        const copies = growContainers(
          content.nodes.map((node) => {
            const parent = node.parent_id ? renamed.get(node.parent_id) : undefined;
            const flow = nodeToFlow(
              { ...structuredClone(node), id: renamed.get(node.id) ?? node.id, parent_id: parent ?? null },
              catalogue,
            );
            return { ...flow, selected: !parent };
          }),
        );
        // the copies that are not inside another copy move, as one group, to a free place
        const target = pasteTarget(content) ?? withinOpened(undefined);
        const leading = copies.filter((node) => !node.parentId);
        const boxes = leading.map((node) => ({ ...node.position, ...nodeSize(node) }));
        const origin = target ? absolutePosition(target, byId()) : { x: 0, y: 0 };
        let offset: XYPosition;
        if (target) {
          const group = boundsOf(boxes);
          const wanted = belowChildren(target);
          offset = freeOffset(boxes, obstaclesFor(target), { x: wanted.x - group.x, y: wanted.y - group.y }, {
            min: insideCorner(target),
          });
        } else {
          offset = freeOffset(boxes, obstaclesFor(undefined), { x: PASTE_SHIFT, y: PASTE_SHIFT });
        }
        const pasted = copies.map((node): FlowNode => {
          if (node.parentId) return node;
          const position = {
            x: Math.round(node.position.x + offset.x - origin.x),
            y: Math.round(node.position.y + offset.y - origin.y),
          };
          return target ? { ...node, position, parentId: target.id } : { ...node, position };
        });
        const pastedById = new Map(pasted.map((node) => [node.id, node]));
        const newEdges = content.edges
          .filter((edge) => renamed.has(edge.source) && renamed.has(edge.target))
          .map((edge) =>
            edgeToFlow(
              {
                ...edge,
                id: freshId("e", takenEdges),
                source: renamed.get(edge.source) ?? edge.source,
                target: renamed.get(edge.target) ?? edge.target,
              },
              pastedById,
              catalogue,
            ),
          );
        record();
        const nodes = before.map((node) => (node.selected ? { ...node, selected: false } : node));
        set({
          nodes: settle(orderParentsFirst([...nodes, ...pasted]), before),
          edges: [...deselectEdges(get().edges), ...newEdges],
        });
        lastPasted = new Set(pasted.filter((node) => node.selected).map((node) => node.id));
      },

      beginGesture() {
        gesture = snapshot();
      },

      endGesture(movedIds = [], options = {}) {
        const { coalesce, dropped = false } = options;
        const before = gesture;
        gesture = null;
        let nodes = get().nodes;
        const all = byId();
        let reparented = false;
        for (const node of leadingMoved(movedIds, all)) {
          const home = homeAfterMove(node, all, dropped);
          if (home?.id === node.parentId) continue;
          const at = absolutePosition(node, all);
          const origin = home ? absolutePosition(home, all) : { x: 0, y: 0 };
          const moved: FlowNode = {
            ...node,
            position: { x: Math.round(at.x - origin.x), y: Math.round(at.y - origin.y) },
            parentId: home?.id,
          };
          if (!home) delete moved.parentId;
          nodes = nodes.map((n) => (n.id === node.id ? moved : n));
          reparented = true;
        }
        if (reparented) nodes = orderParentsFirst(nodes);
        nodes = settle(nodes, before?.nodes ?? nodes);
        if (get().dropTargets.length) set({ dropTargets: [] });
        if (!before) {
          set({ nodes });
          return;
        }
        const changed =
          reparented ||
          nodes.length !== before.nodes.length ||
          nodes.some((node, index) => {
            const old = before.nodes[index];
            return (
              !old ||
              old.id !== node.id ||
              old.position.x !== node.position.x ||
              old.position.y !== node.position.y ||
              old.width !== node.width ||
              old.height !== node.height
            );
          });
        if (!changed) return;
        const now = Date.now();
        if (coalesce && lastEdit && lastEdit.key === coalesce && now - lastEdit.at < COALESCE_MS) {
          lastEdit.at = now;
          set({ nodes, future: [], tag: nextTag++ });
          return;
        }
        lastEdit = coalesce ? { key: coalesce, at: now } : null;
        set({
          nodes,
          past: [...get().past, before].slice(-HISTORY_LIMIT),
          future: [],
          tag: nextTag++,
        });
      },

      previewDrop(movedIds) {
        const all = byId();
        const targets = new Set<string>();
        for (const node of leadingMoved(movedIds, all)) {
          const home = homeAfterMove(node, all, true);
          if (home && home.id !== node.parentId) targets.add(home.id);
        }
        showDropTargets([...targets]);
      },

      previewDropAt(point) {
        const target = point ? containerAt(point, new Set()) : undefined;
        showDropTargets(target ? [target.id] : []);
      },

      applyLayout(layout, options) {
        if (!options?.asSaved) record();
        set({
          nodes: get().nodes.map((node) => {
            const placed = layout.get(node.id);
            if (!placed) return node;
            const next: FlowNode = { ...node, position: placed.position };
            if (placed.size && node.type === "container") {
              next.width = placed.size.width;
              next.height = placed.size.height;
            }
            return next;
          }),
        });
      },

      undo() {
        const { past } = get();
        const previous = past[past.length - 1];
        if (!previous) return;
        lastEdit = null;
        set({ ...previous, opened: openedAfter(previous), past: past.slice(0, -1), future: [snapshot(), ...get().future] });
      },

      redo() {
        const [next, ...rest] = get().future;
        if (!next) return;
        lastEdit = null;
        set({ ...next, opened: openedAfter(next), future: rest, past: [...get().past, snapshot()] });
      },

      setDiagnostics(diagnostics) {
        const problemsByNode: Record<string, Diagnostic[]> = {};
        const problemsByEdge: Record<string, Diagnostic[]> = {};
        for (const diagnostic of diagnostics) {
          if (diagnostic.edge_id) (problemsByEdge[diagnostic.edge_id] ??= []).push(diagnostic);
          else if (diagnostic.node_id) (problemsByNode[diagnostic.node_id] ??= []).push(diagnostic);
        }
        set({ diagnostics, problemsByNode, problemsByEdge });
      },

      setCompletions(completions) {
        set({ completions });
      },

      notify(text, tone = "info") {
        set({ notice: { id: nextNotice++, text, tone } });
      },

      dismissNotice() {
        set({ notice: null });
      },

      focusNode(nodeId) {
        const nodes = byId();
        const around = new Set<string>();
        for (let parent = nodes.get(nodeId)?.parentId; parent && !around.has(parent); parent = nodes.get(parent)?.parentId) {
          around.add(parent);
        }
        const folded = [...around].filter((id) => get().collapsed.has(id));
        if (folded.length) get().setCollapsed(folded, false);
        // a node outside the container drilled into is shown in the whole workflow
        const opened = openedContainer(get());
        if (opened && nodeId !== opened.id && !around.has(opened.id)) set({ opened: null });
        get().select([nodeId]);
        set({ focus: { nodeId, seq: (get().focus?.seq ?? 0) + 1 } });
      },

      setCollapsed(ids, collapsed) {
        const nodes = byId();
        const next = new Set(get().collapsed);
        for (const id of ids) {
          if (nodes.get(id)?.type !== "container") continue;
          if (collapsed) next.add(id);
          else next.delete(id);
        }
        if (next.size === get().collapsed.size && [...next].every((id) => get().collapsed.has(id))) return;
        record();
        const inside = (node: FlowNode) => node.parentId !== undefined && isInside(node.id, next, nodes);
        set({
          collapsed: next,
          nodes: collapsed
            ? get().nodes.map((node) => (node.selected && inside(node) ? { ...node, selected: false } : node))
            : get().nodes,
        });
      },

      focusEdge(edgeId) {
        const edge = get().edges.find((e) => e.id === edgeId);
        if (!edge) return;
        const opened = openedContainer(get());
        if (opened) {
          const shown = new Set([opened.id]);
          const all = byId();
          if (!isInside(edge.source, shown, all) || !isInside(edge.target, shown, all)) set({ opened: null });
        }
        set({
          nodes: get().nodes.map((node) => (node.selected ? { ...node, selected: false } : node)),
          edges: get().edges.map((e) =>
            (e.id === edgeId) === Boolean(e.selected) ? e : { ...e, selected: e.id === edgeId },
          ),
          focus: { nodeId: edge.source, seq: (get().focus?.seq ?? 0) + 1 },
        });
      },

      openContainer(id) {
        const nodes = byId();
        const container = id ? nodes.get(id) : undefined;
        if (id && container?.type !== "container") return;
        if (!container) {
          if (get().opened !== null) set({ opened: null });
          return;
        }
        const shown = new Set([container.id]);
        const keep = (nodeId: string) => nodeId === container.id || isInside(nodeId, shown, nodes);
        set({
          opened: container.id,
          nodes: get().nodes.map((node) => (node.selected && !keep(node.id) ? { ...node, selected: false } : node)),
          edges: get().edges.map((edge) =>
            edge.selected && !(keep(edge.source) && keep(edge.target)) ? { ...edge, selected: false } : edge,
          ),
        });
      },

      setDiff(view) {
        set({ diff: view });
      },

      markSaved({ revision, tag, document }) {
        set({
          revision,
          savedTag: tag,
          savedDocument: document,
          projectWorkflows: get().projectWorkflows.map((w) => (w.id === document.id ? document : w)),
        });
      },

      markProjectSaved(projectRevision, project) {
        set({ projectRevision, savedProject: project });
      },

      replaceWorkflow(workflow, revision, undoable) {
        const next = documentToFlow(workflow, get().catalogue);
        const shown = splitView(next.meta);
        if (undoable) record();
        else set({ past: [], future: [] });
        const tag = nextTag++;
        lastEdit = null;
        set({
          nodes: next.nodes,
          edges: next.edges,
          meta: shown.meta,
          collapsed: shown.collapsed,
          tag,
          savedTag: tag,
          revision,
          savedDocument: workflow,
          diff: null,
          projectWorkflows: get().projectWorkflows.map((w) => (w.id === workflow.id ? workflow : w)),
        });
      },

      replaceProject(project, projectRevision) {
        set({ project, savedProject: project, projectRevision });
      },

      setProjectWorkflows(workflows) {
        set({ projectWorkflows: workflows, projectWorkflowsLoaded: true });
      },
    };
  });
}

function deselectEdges(edges: FlowEdge[]): FlowEdge[] {
  return edges.some((edge) => edge.selected)
    ? edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge))
    : edges;
}

/** Whether `point` on the canvas lies within the box of `node`. */
function holds(node: FlowNode, point: XYPosition, nodes: ReadonlyMap<string, FlowNode>): boolean {
  const at = absolutePosition(node, nodes);
  const size = nodeSize(node);
  return point.x >= at.x && point.x <= at.x + size.width && point.y >= at.y && point.y <= at.y + size.height;
}

/** Whether `id` sits, at any depth, inside one of `containers`. */
function isInside(id: string, containers: ReadonlySet<string>, nodes: ReadonlyMap<string, FlowNode>): boolean {
  const seen = new Set<string>();
  let parentId = nodes.get(id)?.parentId;
  while (parentId && !seen.has(parentId)) {
    if (containers.has(parentId)) return true;
    seen.add(parentId);
    parentId = nodes.get(parentId)?.parentId;
  }
  return false;
}

function orderParentsFirst(nodes: FlowNode[]): FlowNode[] {
  const wrapped = nodes.map((node) => ({ id: node.id, parent_id: node.parentId ?? null, node }));
  return parentsFirst(wrapped).map((entry) => entry.node);
}

/** The size of a node added of `kind`: a step's, or a new container's. */
function newNodeSize(kind: NodeKind | undefined): { width: number; height: number } {
  return kind?.role === "container" ? NEW_CONTAINER : { width: STEP_WIDTH, height: STEP_HEIGHT };
}

function uniqueLabel(base: string, nodes: readonly FlowNode[]): string {
  const labels = new Set(nodes.map((node) => node.data.label));
  if (!labels.has(base)) return base;
  let n = 2;
  while (labels.has(`${base} ${n}`)) n += 1;
  return `${base} ${n}`;
}

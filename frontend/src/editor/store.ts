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
  Project,
  ProjectSettings,
  Workflow,
  WorkflowMeta,
} from "../api/types";
import { type Catalogue, edgeLabel } from "../document/catalogue";
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

/** What undo brings back: the graph, the workflow's settings and the project's settings. */
export interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
  meta: WorkflowMeta;
  project: ProjectSettings;
  /** Names this state of the document; two snapshots with one tag hold the same document. */
  tag: number;
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
  notice: Notice | null;
  diff: DiffView | null;
  /** Asks the canvas to bring a node into view; `seq` changes with every request. */
  focus: { nodeId: string; seq: number } | null;

  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  /** Adds the edge, or answers why it cannot be drawn. */
  connect(connection: ProposedConnection): string | null;
  addNode(kind: string, center: XYPosition): string;
  updateNode(id: string, patch: { label?: string; config?: Record<string, unknown> }, key?: string): void;
  setMeta(meta: WorkflowMeta, key?: string): void;
  setProject(project: ProjectSettings, key?: string): void;
  deleteSelection(): void;
  selectAll(): void;
  select(nodeIds: string[]): void;
  copySelection(): ClipboardContent | null;
  paste(content: ClipboardContent): void;
  /** A drag or a resize begins; it becomes one undo step when it ends having changed anything. */
  beginGesture(): void;
  /** Ends a drag: nodes dropped onto a container move into it, and out of it when dropped outside.
   * With `coalesce`, a gesture that follows one of the same key within moments joins its undo
   * step (the presses of a burst of arrow keys are one step, as one drag is). */
  endGesture(movedIds?: string[], coalesce?: string): void;
  /** Moves nodes where a layout put them; `asSaved` when opening a document drawn without one. */
  applyLayout(
    layout: Map<string, { position: XYPosition; size?: { width: number; height: number } }>,
    options?: { asSaved?: boolean },
  ): void;
  undo(): void;
  redo(): void;
  setDiagnostics(diagnostics: Diagnostic[]): void;
  notify(text: string, tone?: Notice["tone"]): void;
  dismissNotice(): void;
  focusNode(nodeId: string): void;
  /** Selects one edge alone and brings it into view. */
  focusEdge(edgeId: string): void;
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

let nextTag = 1;
let nextNotice = 1;

export function isDirty(state: Pick<EditorState, "tag" | "savedTag" | "project" | "savedProject">) {
  return state.tag !== state.savedTag || state.project !== state.savedProject;
}

export function workflowDocument(state: Pick<EditorState, "nodes" | "edges" | "meta">): Workflow {
  return flowToDocument(state.nodes, state.edges, state.meta);
}

export function projectDocument(state: EditorState): Project {
  const current = workflowDocument(state);
  const workflows = state.projectWorkflows.some((w) => w.id === current.id)
    ? state.projectWorkflows.map((w) => (w.id === current.id ? current : w))
    : [...state.projectWorkflows, current];
  return { schema_version: 1, id: state.projectId, ...state.project, workflows };
}

export function selectedNodeIds(state: Pick<EditorState, "nodes">): string[] {
  return state.nodes.filter((node) => node.selected).map((node) => node.id);
}

export function createEditorStore(init: EditorInit): EditorStore {
  const graph = documentToFlow(init.workflow, init.catalogue);
  const tag = nextTag++;
  let lastEdit: { key: string; at: number } | null = null;
  let gesture: Snapshot | null = null;
  let pastes = { key: "", count: 0 };

  return createStore<EditorState>()((set, get) => {
    const snapshot = (): Snapshot => {
      const { nodes, edges, meta, project, tag } = get();
      return { nodes, edges, meta, project, tag };
    };

    /** Call before an edit: remembers the state it changes, unless it continues the last one. */
    const record = (key?: string) => {
      const now = Date.now();
      if (key && lastEdit && lastEdit.key === key && now - lastEdit.at < COALESCE_MS) {
        lastEdit.at = now;
        set({ tag: nextTag++ });
        return;
      }
      lastEdit = key ? { key, at: now } : null;
      const past = [...get().past, snapshot()].slice(-HISTORY_LIMIT);
      set({ past, future: [], tag: nextTag++ });
    };

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
    const containerAt = (point: XYPosition, exclude: Set<string>): FlowNode | undefined => {
      const nodes = byId();
      let found: FlowNode | undefined;
      let foundArea = Infinity;
      for (const node of get().nodes) {
        if (node.type !== "container" || exclude.has(node.id)) continue;
        if (isInside(node.id, exclude, nodes)) continue;
        const at = absolutePosition(node, nodes);
        const size = nodeSize(node);
        const inside =
          point.x >= at.x && point.x <= at.x + size.width && point.y >= at.y && point.y <= at.y + size.height;
        if (inside && size.width * size.height < foundArea) {
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

    return {
      ...graph,
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
      notice: null,
      diff: null,
      focus: null,

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
        record();
        const handle = connection.sourceHandle ?? "out";
        const source = nodes.get(connection.source);
        const edge: FlowEdge = {
          id: freshId("e", edgeIds()),
          type: "port",
          source: connection.source,
          sourceHandle: handle,
          target: connection.target,
          targetHandle: connection.targetHandle ?? "in",
          data: { label: edgeLabel(source && catalogue.kinds.get(source.data.kind), handle) },
        };
        set({ edges: [...get().edges, edge] });
        return null;
      },

      addNode(kindName, center) {
        const { catalogue } = get();
        const kind = catalogue.kinds.get(kindName);
        const container = kind?.role === "container";
        const size = container ? { width: 360, height: 220 } : { width: STEP_WIDTH, height: STEP_HEIGHT };
        const id = freshId(kindName, new Set(get().nodes.map((node) => node.id)));
        const parent = containerAt(center, new Set());
        const topLeft = { x: center.x - size.width / 2, y: center.y - size.height / 2 };
        let position = topLeft;
        if (parent) {
          const at = absolutePosition(parent, byId());
          position = {
            x: Math.max(CONTAINER_PADDING.side, topLeft.x - at.x),
            y: Math.max(CONTAINER_PADDING.top, topLeft.y - at.y),
          };
        }
        const document: DocNode = {
          id,
          type: kindName,
          label: uniqueLabel(kind?.label ?? kindName, get().nodes),
          position: { x: Math.round(position.x), y: Math.round(position.y) },
          size: container ? size : null,
          parent_id: parent?.id ?? null,
          config: structuredClone(kind?.defaults ?? {}),
        };
        record();
        const node = { ...nodeToFlow(document, catalogue), selected: true };
        const nodes = get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
        set({
          nodes: growContainers(orderParentsFirst([...nodes, node])),
          edges: deselectEdges(get().edges),
        });
        return id;
      },

      updateNode(id, patch, key) {
        record(key ? `node:${id}:${key}` : undefined);
        set({
          nodes: get().nodes.map((node) =>
            node.id === id ? { ...node, data: { ...node.data, ...patch } } : node,
          ),
        });
      },

      setMeta(meta, key) {
        record(key ? `meta:${key}` : undefined);
        set({ meta });
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
      },

      selectAll() {
        set({
          nodes: get().nodes.map((node) => (node.selected ? node : { ...node, selected: true })),
          edges: get().edges.map((edge) => (edge.selected ? edge : { ...edge, selected: true })),
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
        const takenNodes = new Set(get().nodes.map((node) => node.id));
        const takenEdges = edgeIds();
        const renamed = new Map<string, string>();
        for (const node of content.nodes) renamed.set(node.id, freshId(node.type, takenNodes));
        // each paste of the same nodes lands a little further on, never on the last one
        const key = content.nodes.map((node) => node.id).join("\n");
        pastes = pastes.key === key ? { key, count: pastes.count + 1 } : { key, count: 1 };
        const shift = 40 * pastes.count;
        const pasted: FlowNode[] = content.nodes.map((node) => {
          const parent = node.parent_id ? renamed.get(node.parent_id) : undefined;
          const offset = parent ? 0 : shift;
          const flow = nodeToFlow(
            {
              ...structuredClone(node),
              id: renamed.get(node.id) ?? node.id,
              parent_id: parent ?? null,
              position: { x: node.position.x + offset, y: node.position.y + offset },
            },
            catalogue,
          );
          return { ...flow, selected: !parent };
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
        const nodes = get().nodes.map((node) => (node.selected ? { ...node, selected: false } : node));
        set({
          nodes: orderParentsFirst([...nodes, ...pasted]),
          edges: [...deselectEdges(get().edges), ...newEdges],
        });
      },

      beginGesture() {
        gesture = snapshot();
      },

      endGesture(movedIds = [], coalesce) {
        const before = gesture;
        gesture = null;
        let nodes = get().nodes;
        const all = byId();
        const moving = new Set(movedIds);
        let reparented = false;
        for (const id of movedIds) {
          const node = all.get(id);
          // a node whose container moves with it stays where it is
          if (!node || (node.parentId && moving.has(node.parentId))) continue;
          const at = absolutePosition(node, all);
          const size = nodeSize(node);
          const center = { x: at.x + size.width / 2, y: at.y + size.height / 2 };
          const exclude = new Set([id]);
          const target = containerAt(center, exclude);
          if ((target?.id ?? undefined) === node.parentId) continue;
          const origin = target ? absolutePosition(target, all) : { x: 0, y: 0 };
          const moved: FlowNode = {
            ...node,
            position: { x: Math.round(at.x - origin.x), y: Math.round(at.y - origin.y) },
            parentId: target?.id,
          };
          if (!target) delete moved.parentId;
          nodes = nodes.map((n) => (n.id === id ? moved : n));
          reparented = true;
        }
        if (reparented) nodes = orderParentsFirst(nodes);
        nodes = growContainers(nodes);
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
        set({ ...previous, past: past.slice(0, -1), future: [snapshot(), ...get().future] });
      },

      redo() {
        const [next, ...rest] = get().future;
        if (!next) return;
        lastEdit = null;
        set({ ...next, future: rest, past: [...get().past, snapshot()] });
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

      notify(text, tone = "info") {
        set({ notice: { id: nextNotice++, text, tone } });
      },

      dismissNotice() {
        set({ notice: null });
      },

      focusNode(nodeId) {
        get().select([nodeId]);
        set({ focus: { nodeId, seq: (get().focus?.seq ?? 0) + 1 } });
      },

      focusEdge(edgeId) {
        const edge = get().edges.find((e) => e.id === edgeId);
        if (!edge) return;
        set({
          nodes: get().nodes.map((node) => (node.selected ? { ...node, selected: false } : node)),
          edges: get().edges.map((e) =>
            (e.id === edgeId) === Boolean(e.selected) ? e : { ...e, selected: e.id === edgeId },
          ),
          focus: { nodeId: edge.source, seq: (get().focus?.seq ?? 0) + 1 },
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
        if (undoable) record();
        else set({ past: [], future: [] });
        const tag = nextTag++;
        lastEdit = null;
        set({
          nodes: next.nodes,
          edges: next.edges,
          meta: next.meta,
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

/** Whether `id` sits, at any depth, inside one of `containers`. */
function isInside(id: string, containers: Set<string>, nodes: ReadonlyMap<string, FlowNode>): boolean {
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

function uniqueLabel(base: string, nodes: readonly FlowNode[]): string {
  const labels = new Set(nodes.map((node) => node.data.label));
  if (!labels.has(base)) return base;
  let n = 2;
  while (labels.has(`${base} ${n}`)) n += 1;
  return `${base} ${n}`;
}

// The editor's state: one store per open workflow, created by `createEditorStore` and read
// through selectors. Every edit goes through an action, which records the state before it so
// that undo and redo cover all of them. The actions are made in slices (`./slices`): the graph's
// edits, the history, the clipboard, the selection and view, and what the server answered.
import type { EdgeChange, NodeChange, XYPosition } from "@xyflow/react";
import { createStore, type StoreApi } from "zustand/vanilla";

import type { Diagnostic, DocEdge, DocNode, Project, ProjectSettings, Workflow, WorkflowMeta } from "../api/types";
import type { Catalogue } from "../document/catalogue";
import type { WorkflowDiff } from "../document/diff";
import { documentToFlow, type FlowEdge, type FlowNode, flowToDocument } from "../document/mapping";
import type { ProposedConnection } from "../document/rules";
import type { Completions } from "./completions";
import type { Box } from "./geometry";
import { clipboardSlice } from "./slices/clipboard";
import type { SliceContext } from "./slices/context";
import { graphSlice } from "./slices/graph";
import { createHistory, historySlice, newTag } from "./slices/history";
import { createPlacement } from "./slices/placement";
import { savingSlice, splitView } from "./slices/saving";
import { selectionSlice } from "./slices/selection";

export { containerPath, openedContainer, selectedNodeIds } from "./slices/queries";

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

export function projectDocument(state: EditorState): Project {
  const current = workflowDocument(state);
  const workflows = state.projectWorkflows.some((w) => w.id === current.id)
    ? state.projectWorkflows.map((w) => (w.id === current.id ? current : w))
    : [...state.projectWorkflows, current];
  return { schema_version: 1, id: state.projectId, ...state.project, workflows };
}

export function createEditorStore(init: EditorInit): EditorStore {
  const graph = documentToFlow(init.workflow, init.catalogue);
  const view = splitView(graph.meta);
  const tag = newTag();

  return createStore<EditorState>()((set, get) => {
    const context: SliceContext = { set, get, history: createHistory(set, get), place: createPlacement(get) };
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
      ...graphSlice(context),
      ...historySlice(context),
      ...clipboardSlice(context),
      ...selectionSlice(context),
      ...savingSlice(context),
    };
  });
}

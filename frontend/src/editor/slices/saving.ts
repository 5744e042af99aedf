// What the server said: saves and reloads of the workflow and the project, the other
// workflows of the project, and the check's diagnostics and completions; notices and the diff
// shown beside the graph.
import type { Diagnostic, Workflow, WorkflowMeta } from "../../api/types";
import { documentToFlow } from "../../document/mapping";
import type { Slice } from "./context";
import { newTag } from "./history";

let nextNotice = 1;

/** The workflow's fields without its `ui`, and the containers it shows collapsed. */
export function splitView(meta: WorkflowMeta): { meta: WorkflowMeta; collapsed: ReadonlySet<string> } {
  const { ui, ...rest } = meta;
  return { meta: rest, collapsed: new Set(ui?.collapsed ?? []) };
}

export const savingSlice: Slice<
  | "markSaved"
  | "markProjectSaved"
  | "replaceWorkflow"
  | "replaceProject"
  | "setProjectWorkflows"
  | "setDiagnostics"
  | "setCompletions"
  | "notify"
  | "dismissNotice"
  | "setDiff"
> = ({ set, get, history }) => {
  const withWorkflow = (workflow: Workflow): Workflow[] =>
    get().projectWorkflows.map((w) => (w.id === workflow.id ? workflow : w));

  return {
    markSaved({ revision, tag, document }) {
      set({ revision, savedTag: tag, savedDocument: document, projectWorkflows: withWorkflow(document) });
    },

    markProjectSaved(projectRevision, project) {
      set({ projectRevision, savedProject: project });
    },

    replaceWorkflow(workflow, revision, undoable) {
      const next = documentToFlow(workflow, get().catalogue);
      const shown = splitView(next.meta);
      if (undoable) history.record();
      else set({ past: [], future: [] });
      const tag = newTag();
      history.breakCoalescing();
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
        projectWorkflows: withWorkflow(workflow),
      });
    },

    replaceProject(project, projectRevision) {
      set({ project, savedProject: project, projectRevision });
    },

    setProjectWorkflows(workflows) {
      set({ projectWorkflows: workflows, projectWorkflowsLoaded: true });
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

    setDiff(view) {
      set({ diff: view });
    },
  };
};

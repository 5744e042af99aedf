// Saving the open workflow (and the project's settings, when they changed) with the revisions
// they were based on; the workflow as a delta against the document the server holds (delta.ts).
// When someone else saved the workflow first (409), this editor's changes are replayed onto theirs
// and saved again if the two touched different things (merge.ts); a real conflict comes back for
// the dialog to resolve.
import { api, ApiError } from "../api/client";
import type { Workflow } from "../api/types";
import { type DraftWriter, saveDraft } from "./delta";
import { rebase } from "./merge";
import { isDirty, type EditorStore, workflowDocument } from "./store";

export type Conflict = { part: "workflow" | "project"; detail: string };

export type SaveOutcome =
  | { ok: true; /** The revision saved elsewhere that this save was merged with. */ mergedWith?: number }
  | { ok: false; conflict?: Conflict; error?: string };

export interface Overwrite {
  /** Save the workflow over this revision (the other editor's), not the one it was based on. */
  workflowRevision?: number;
  projectRevision?: number;
}

export async function save(store: EditorStore, overwrite: Overwrite = {}): Promise<SaveOutcome> {
  const state = store.getState();
  if (!isDirty(state)) return { ok: true };
  try {
    if (state.project !== state.savedProject) {
      const sent = state.project;
      const saved = await api.updateProject(
        state.projectId,
        overwrite.projectRevision ?? state.projectRevision,
        sent,
      );
      store.getState().markProjectSaved(saved.revision, sent);
    }
  } catch (error) {
    return failure(error, "project");
  }
  const current = store.getState();
  if (current.tag === current.savedTag) return { ok: true };
  const document = workflowDocument(current);
  const tag = current.tag;
  const { projectId, workflowId } = current;
  const writer: DraftWriter = {
    change: (revision, patch) => api.changeWorkflow(projectId, workflowId, revision, patch),
    replace: (revision, whole) => api.saveWorkflow(projectId, workflowId, revision, whole),
  };
  try {
    const saved = await saveDraft(writer, {
      base: current.savedDocument,
      revision: current.revision,
      document,
      overwriteRevision: overwrite.workflowRevision,
    });
    // the server's document is the next base, so the two stay the same; with nothing sent (the
    // edits undone), the server already holds this document
    const held = saved ?? { revision: current.revision, document: current.savedDocument };
    store.getState().markSaved({ revision: held.revision, tag, document: held.document });
    return { ok: true };
  } catch (error) {
    if (error instanceof ApiError && error.isConflict && overwrite.workflowRevision === undefined) {
      const merged = await saveMerged(store, writer, current.savedDocument, document, tag);
      if (merged) return merged;
    }
    return failure(error, "workflow");
  }
}

/** Saves theirs (the draft now stored) with this editor's changes since `base` on top, and shows
 * the result; null, leaving it to the conflict dialog, when the two sides clash, when the editor
 * was changed meanwhile, or when the merged save is refused in turn. */
async function saveMerged(
  store: EditorStore,
  writer: DraftWriter,
  base: Workflow,
  mine: Workflow,
  tag: number,
): Promise<SaveOutcome | null> {
  try {
    const { projectId, workflowId } = store.getState();
    const theirs = await api.readWorkflow(projectId, workflowId);
    const merged = rebase(base, mine, theirs.document);
    if (!merged || store.getState().tag !== tag) return null;
    // nothing to send when theirs already holds every change of this editor's
    const saved =
      (await saveDraft(writer, { base: theirs.document, revision: theirs.revision, document: merged })) ?? theirs;
    // undoable, as taking theirs in the conflict dialog is
    store.getState().replaceWorkflow(saved.document, saved.revision, true);
    return { ok: true, mergedWith: theirs.revision };
  } catch {
    return null;
  }
}

function failure(error: unknown, part: Conflict["part"]): SaveOutcome {
  if (error instanceof ApiError && error.isConflict) {
    return { ok: false, conflict: { part, detail: error.message } };
  }
  if (error instanceof ApiError && error.body.diagnostics?.length) {
    const first = error.body.diagnostics[0];
    return { ok: false, error: `${error.message}: ${first?.message ?? ""}` };
  }
  return { ok: false, error: error instanceof Error ? error.message : String(error) };
}

// Tells an open editor, within seconds, that its workflow was saved elsewhere (another tab, another
// person): it polls the draft's revision while the tab is visible and offers to reload. With unsaved
// edits, the banner says how saving them will go: merged, or through the conflict dialog.
import { RefreshCw, TriangleAlert } from "lucide-react";
import { useCallback, useEffect, useState } from "react";

import { api, ApiError } from "../api/client";
import type { WorkflowRevision } from "../api/gen/types.gen";
import { useEditor, useEditorStore } from "./context";
import "./SavedElsewhere.css";
import type { EditorStore } from "./store";

/** How often a visible tab asks for the draft's revision. */
export const POLL_MS = 2000;
/** A newer revision is shown only if the editor still does not hold it this long after seeing it:
 * the answer to the editor's own save may arrive after a poll that already saw its revision. */
const SETTLE_MS = 600;

type Elsewhere = { kind: "saved"; revision: number; updatedAt: string } | { kind: "deleted" };

function useSavedElsewhere(store: EditorStore): Elsewhere | null {
  const [elsewhere, setElsewhere] = useState<Elsewhere | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const { projectId, workflowId } = store.getState();

    const seen = (remote: WorkflowRevision) => {
      if (remote.revision <= store.getState().revision) return;
      window.setTimeout(() => {
        if (!stopped && remote.revision > store.getState().revision) {
          setElsewhere({ kind: "saved", revision: remote.revision, updatedAt: remote.updated_at });
        }
      }, SETTLE_MS);
    };

    const poll = async () => {
      window.clearTimeout(timer);
      if (stopped || document.visibilityState !== "visible") return;
      try {
        seen(await api.readWorkflowRevision(projectId, workflowId));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) setElsewhere({ kind: "deleted" });
        // other failures (the server restarting, a network blip) are tried again at the next poll
      }
      if (!stopped) timer = window.setTimeout(() => void poll(), POLL_MS);
    };

    const onVisibility = () => {
      if (document.visibilityState === "visible") void poll();
    };
    document.addEventListener("visibilitychange", onVisibility);
    timer = window.setTimeout(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [store]);

  return elsewhere;
}

export function SavedElsewhereBanner() {
  const store = useEditorStore();
  const elsewhere = useSavedElsewhere(store);
  const revision = useEditor((state) => state.revision);
  const edited = useEditor((state) => state.tag !== state.savedTag);
  const [loading, setLoading] = useState(false);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const { projectId, workflowId } = store.getState();
      const theirs = await api.readWorkflow(projectId, workflowId);
      const hadEdits = store.getState().tag !== store.getState().savedTag;
      // with edits of this tab's, taking theirs is one undoable step, as in the conflict dialog
      store.getState().replaceWorkflow(theirs.document, theirs.revision, hadEdits);
      store
        .getState()
        .notify(
          hadEdits
            ? `Loaded revision ${theirs.revision}; Ctrl+Z brings your edits back`
            : `Loaded revision ${theirs.revision}`,
          "info",
        );
    } catch (error) {
      store.getState().notify(`Could not reload: ${error instanceof Error ? error.message : String(error)}`, "error");
    } finally {
      setLoading(false);
    }
  }, [store]);

  if (!elsewhere) return null;
  if (elsewhere.kind === "deleted") {
    return (
      <div className="saved-elsewhere" role="status" data-testid="saved-elsewhere">
        <TriangleAlert size={15} />
        <span className="saved-elsewhere-note">
          This workflow was deleted elsewhere; saving will not bring it back. Copy what you need before leaving.
        </span>
      </div>
    );
  }
  if (elsewhere.revision <= revision) return null;
  const time = new Date(elsewhere.updatedAt).toLocaleTimeString();
  return (
    <div className="saved-elsewhere" role="status" data-testid="saved-elsewhere">
      <TriangleAlert size={15} />
      <span className="saved-elsewhere-note">
        Saved elsewhere at {time} (revision {elsewhere.revision}).
        {edited &&
          " You have unsaved edits: saving merges them with theirs where they changed other things, and opens the conflict dialog where both changed the same."}
      </span>
      <button type="button" className="button small" disabled={loading} onClick={() => void reload()}>
        <RefreshCw size={13} /> {edited ? "Reload theirs" : "Reload"}
      </button>
    </div>
  );
}

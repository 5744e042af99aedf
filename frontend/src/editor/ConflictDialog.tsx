// Someone else saved first (409). Shows what their version has that this editor's does not, then
// offers to take theirs (undoable) or to save this one over it.
import { useEffect, useState } from "react";

import { api } from "../api/client";
import type { ProjectSettings, Workflow } from "../api/types";
import { diffWorkflows, fieldChanges, type FieldChange, type WorkflowDiff } from "../document/diff";
import { useEditorStore } from "./context";
import type { Conflict, Overwrite } from "./saving";
import { workflowDocument } from "./store";

type Theirs =
  | { part: "workflow"; revision: number; document: Workflow; diff: WorkflowDiff }
  | { part: "project"; revision: number; project: ProjectSettings; changes: FieldChange[] };

const show = (value: unknown) => (value === undefined ? "—" : JSON.stringify(value));

export function ConflictDialog({
  conflict,
  onClose,
  onOverwrite,
}: {
  conflict: Conflict;
  onClose(): void;
  onOverwrite(overwrite: Overwrite): void;
}) {
  const store = useEditorStore();
  const [theirs, setTheirs] = useState<Theirs | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const state = store.getState();
    const load = async () => {
      if (conflict.part === "workflow") {
        const other = await api.readWorkflow(state.projectId, state.workflowId);
        const diff = diffWorkflows(other.document, workflowDocument(store.getState()));
        setTheirs({ part: "workflow", revision: other.revision, document: other.document, diff });
        // their version drawn on the canvas: red is only theirs, green only yours
        store.getState().setDiff({ title: `their revision ${other.revision}`, diff, other: other.document });
      } else {
        const other = await api.readProject(state.projectId);
        const clean: ProjectSettings = {
          name: other.name,
          description: other.description,
          task_queue: other.task_queue,
          types: other.types,
          activities: other.activities,
        };
        setTheirs({
          part: "project",
          revision: other.revision,
          project: clean,
          changes: fieldChanges(clean, store.getState().project),
        });
      }
    };
    load().catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, [conflict, store]);

  const reload = () => {
    if (!theirs) return;
    if (theirs.part === "workflow") store.getState().replaceWorkflow(theirs.document, theirs.revision, true);
    else store.getState().replaceProject(theirs.project, theirs.revision);
    store.getState().setDiff(null);
    store.getState().notify("Loaded their version; Ctrl+Z brings yours back", "info");
    onClose();
  };

  const overwrite = () => {
    if (!theirs) return;
    store.getState().setDiff(null);
    onOverwrite(theirs.part === "workflow" ? { workflowRevision: theirs.revision } : { projectRevision: theirs.revision });
  };

  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="conflict-title" data-testid="conflict-dialog">
        <h2 id="conflict-title">
          {conflict.part === "workflow" ? "This workflow was saved by someone else" : "The project's settings were saved by someone else"}
        </h2>
        <p className="muted">{conflict.detail}</p>
        {error && <p className="error-text">{error}</p>}
        {!theirs && !error && <p className="muted">Loading their version…</p>}
        {theirs?.part === "workflow" && (
          <div className="conflict-diff" data-testid="their-version">
            <p>
              Their revision {theirs.revision} compared with yours (drawn on the canvas: red is only in theirs,
              green only in yours, amber differs):
            </p>
            <ul>
              {theirs.diff.nodesRemoved.map((node) => (
                <li key={`t-${node.id}`} className="removed">
                  only theirs: <strong>{node.label || node.id}</strong>
                </li>
              ))}
              {theirs.diff.nodesAdded.map((node) => (
                <li key={`m-${node.id}`} className="added">
                  only yours: <strong>{node.label || node.id}</strong>
                </li>
              ))}
              {theirs.diff.nodesChanged.map(({ node, changes }) => (
                <li key={`c-${node.id}`} className="changed">
                  differs: <strong>{node.label || node.id}</strong>{" "}
                  {changes.map((change) => (
                    <span key={change.field} className="change-inline">
                      <code>{change.field}</code> theirs {show(change.before)}, yours {show(change.after)}
                    </span>
                  ))}
                </li>
              ))}
              {theirs.diff.workflowChanges.map((change) => (
                <li key={`w-${change.field}`} className="changed">
                  <code>{change.field}</code> theirs {show(change.before)}, yours {show(change.after)}
                </li>
              ))}
              {theirs.diff.edgesAdded.length + theirs.diff.edgesRemoved.length > 0 && (
                <li>
                  {theirs.diff.edgesRemoved.length} connection(s) only theirs, {theirs.diff.edgesAdded.length} only yours
                </li>
              )}
            </ul>
          </div>
        )}
        {theirs?.part === "project" && (
          <ul className="conflict-diff" data-testid="their-version">
            {theirs.changes.map((change) => (
              <li key={change.field} className="changed">
                <code>{change.field}</code> theirs {show(change.before)}, yours {show(change.after)}
              </li>
            ))}
          </ul>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => { store.getState().setDiff(null); onClose(); }}>
            Cancel
          </button>
          <button type="button" className="button" onClick={reload} disabled={!theirs}>
            Reload theirs
          </button>
          <button type="button" className="button danger" onClick={overwrite} disabled={!theirs}>
            Overwrite with mine
          </button>
        </div>
      </div>
    </div>
  );
}

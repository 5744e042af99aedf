// Versions: snapshots of the saved draft with a message; compare one with the editor's document
// (drawn on the canvas, with the changes listed here in words), or restore it as the draft once the
// user has confirmed that it replaces the current one.
import { GitCompare, History, RotateCcw } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";

import { api } from "../api/client";
import type { DocEdge, DocNode, VersionSummary } from "../api/types";
import { diffWorkflows, type FieldChange } from "../document/diff";
import { useEditor, useEditorStore } from "../editor/context";
import { save } from "../editor/saving";
import { isDirty, workflowDocument } from "../editor/store";

function show(value: unknown): string {
  if (value === undefined || value === null) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function Changes({ changes }: { changes: FieldChange[] }) {
  return (
    <ul className="field-changes">
      {changes.map((change, index) => (
        <li key={index}>
          <span className="change-field" title={change.field}>
            {change.label}
          </span>
          <span className="change-before">{show(change.before)}</span>
          <span className="change-arrow">→</span>
          <span className="change-after">{show(change.after)}</span>
        </li>
      ))}
    </ul>
  );
}

function nodeLabels(nodes: DocNode[]): Map<string, string> {
  return new Map(nodes.map((node) => [node.id, node.label || node.id]));
}

/** An edge as the user sees it: `Check → Approve (true)`. */
function connectionWords(edge: DocEdge, labels: Map<string, string>): string {
  const handle = edge.source_handle && edge.source_handle !== "out" ? ` (${edge.source_handle})` : "";
  return `${labels.get(edge.source) ?? edge.source} → ${labels.get(edge.target) ?? edge.target}${handle}`;
}

export function DiffSummary() {
  const store = useEditorStore();
  const diff = useEditor((state) => state.diff);
  if (!diff) return null;
  const { nodesAdded, nodesRemoved, nodesChanged, edgesAdded, edgesRemoved, workflowChanges } = diff.diff;
  const labels = nodeLabels([...diff.other.nodes, ...nodesAdded, ...nodesChanged.map((change) => change.node)]);
  const nothing =
    nodesAdded.length + nodesRemoved.length + nodesChanged.length + edgesAdded.length + edgesRemoved.length +
      workflowChanges.length ===
    0;
  return (
    <section className="diff-summary" data-testid="diff-summary">
      <header>
        <strong>Compared with {diff.title}</strong>
        <button type="button" className="link-button" onClick={() => store.getState().setDiff(null)}>
          Close
        </button>
      </header>
      {nothing && <p className="muted">No differences.</p>}
      {nodesAdded.map((node) => (
        <div key={`a-${node.id}`} className="diff-row added">
          <span className="diff-tag">added</span> {node.label || node.id}
        </div>
      ))}
      {nodesRemoved.map((node) => (
        <div key={`r-${node.id}`} className="diff-row removed">
          <span className="diff-tag">removed</span> {node.label || node.id}
        </div>
      ))}
      {nodesChanged.map(({ node, changes }) => (
        <div key={`c-${node.id}`} className="diff-row changed">
          <button type="button" className="link-button" onClick={() => store.getState().focusNode(node.id)}>
            <span className="diff-tag">changed</span> {node.label || node.id}
          </button>
          <Changes changes={changes} />
        </div>
      ))}
      {edgesAdded.map((edge) => (
        <div key={`ea-${edge.id}`} className="diff-row added">
          <span className="diff-tag">connected</span> {connectionWords(edge, labels)}
        </div>
      ))}
      {edgesRemoved.map((edge) => (
        <div key={`er-${edge.id}`} className="diff-row removed">
          <span className="diff-tag">disconnected</span> {connectionWords(edge, labels)}
        </div>
      ))}
      {workflowChanges.length > 0 && (
        <div className="diff-row changed">
          <span className="diff-tag">settings</span>
          <Changes changes={workflowChanges} />
        </div>
      )}
    </section>
  );
}

export function VersionsPanel() {
  const store = useEditorStore();
  const projectId = useEditor((state) => state.projectId);
  const workflowId = useEditor((state) => state.workflowId);
  const revision = useEditor((state) => state.revision);
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [restoring, setRestoring] = useState<VersionSummary | null>(null);

  const refresh = useCallback(async () => {
    setVersions(await api.listVersions(projectId, workflowId));
  }, [projectId, workflowId]);

  useEffect(() => {
    void refresh();
  }, [refresh, revision]);

  const fail = (error: unknown) =>
    store.getState().notify(error instanceof Error ? error.message : String(error), "error");

  const create = async () => {
    if (!message.trim()) return;
    setBusy(true);
    try {
      const saved = await save(store);
      if (!saved.ok) {
        store.getState().notify("Save the workflow first: " + (saved.error ?? saved.conflict?.detail ?? ""), "error");
        return;
      }
      const version = await api.createVersion(projectId, workflowId, message.trim(), store.getState().revision);
      setMessage("");
      store.getState().notify(`Version ${version.number} created`, "success");
      await refresh();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  };

  const compare = async (number: number) => {
    try {
      const version = await api.readVersion(projectId, workflowId, number);
      const current = workflowDocument(store.getState());
      store.getState().setDiff({
        title: `version ${number}`,
        diff: diffWorkflows(version.document, current, store.getState().catalogue),
        other: version.document,
      });
    } catch (error) {
      fail(error);
    }
  };

  const restore = async (version: VersionSummary) => {
    setRestoring(null);
    try {
      const restored = await api.restoreVersion(projectId, workflowId, version.number, store.getState().revision);
      store.getState().replaceWorkflow(restored.document, restored.revision, true);
      store.getState().notify(`Version ${version.number} restored as revision ${restored.revision}`, "success");
    } catch (error) {
      fail(error);
    }
  };

  return (
    <div className="versions-panel" data-testid="versions-panel">
      <form
        className="version-form"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <input
          type="text"
          placeholder="What changed?"
          aria-label="Version message"
          value={message}
          onChange={(event) => setMessage(event.target.value)}
        />
        <button type="submit" className="button primary" disabled={busy || !message.trim()}>
          <History size={14} /> Create version
        </button>
      </form>
      <DiffSummary />
      {versions === null && <p className="muted pad">Loading…</p>}
      {versions?.length === 0 && <p className="muted pad">No versions yet. A version is a named snapshot of the saved draft.</p>}
      <ul className="version-list">
        {[...(versions ?? [])].reverse().map((version) => (
          <li key={version.number} data-testid="version">
            <div className="version-head">
              <span className="version-number">v{version.number}</span>
              <span className="version-message">{version.message}</span>
            </div>
            <div className="version-meta">
              {new Date(version.created_at).toLocaleString()} · revision {version.revision}
            </div>
            <div className="version-actions">
              <button type="button" className="button small" onClick={() => void compare(version.number)}>
                <GitCompare size={13} /> Compare
              </button>
              <button type="button" className="button small" onClick={() => setRestoring(version)}>
                <RotateCcw size={13} /> Restore
              </button>
            </div>
          </li>
        ))}
      </ul>
      {restoring && (
        <RestoreDialog version={restoring} onCancel={() => setRestoring(null)} onConfirm={() => void restore(restoring)} />
      )}
    </div>
  );
}

/** Restoring replaces the draft: asked first, naming the version and what is lost. */
function RestoreDialog({
  version,
  onCancel,
  onConfirm,
}: {
  version: VersionSummary;
  onCancel(): void;
  onConfirm(): void;
}) {
  const revision = useEditor((state) => state.revision);
  const edited = useEditor(isDirty);
  const cancel = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    cancel.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onCancel();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onCancel]);

  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="restore-title" data-testid="restore-dialog">
        <h2 id="restore-title">
          Restore version {version.number}
          {version.message ? ` “${version.message}”` : ""}?
        </h2>
        <p>
          The current draft (revision {revision}) is replaced by version {version.number}, saved as a new revision. The
          versions stay as they are, and Ctrl+Z brings the current draft back into the editor.
        </p>
        {edited && (
          <p className="error-text" data-testid="restore-unsaved">
            You have unsaved edits: they are replaced too.
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" ref={cancel} onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="button danger" onClick={onConfirm}>
            <RotateCcw size={13} /> Restore version {version.number}
          </button>
        </div>
      </div>
    </div>
  );
}

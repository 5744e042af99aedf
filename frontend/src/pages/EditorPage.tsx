// One open workflow: loads it with its project, creates its store, and lays out the editor.
import { ReactFlowProvider } from "@xyflow/react";
import { Keyboard, LayoutGrid, Redo2, Save, Search, Undo2 } from "lucide-react";
import { useCallback, useEffect, useMemo, useState } from "react";

import type { ProjectPublic, ProjectSettings } from "../api/types";
import { Toast } from "../components/Toast";
import { Canvas } from "../editor/Canvas";
import { ConflictDialog } from "../editor/ConflictDialog";
import { EmptyCanvasHint } from "../editor/EmptyCanvasHint";
import { EditorContext, useEditor, useEditorStore } from "../editor/context";
import { FindBar } from "../editor/FindBar";
import { useLiveValidation, useShortcuts, useUnsavedWarning } from "../editor/hooks";
import { autoLayout, needsLayout } from "../editor/layout";
import { Palette } from "../editor/Palette";
import { ShortcutsDialog } from "../editor/ShortcutsDialog";
import { SavedElsewhereBanner } from "../editor/SavedElsewhereBanner";
import { type Conflict, type Overwrite, save } from "../editor/saving";
import { createEditorStore, type EditorStore, isDirty } from "../editor/store";
import { CodePanel } from "../panels/CodePanel";
import { Inspector } from "../panels/Inspector";
import { ProblemsPanel } from "../panels/ProblemsPanel";
import { ProjectPanel } from "../panels/ProjectPanel";
import { RunPanel } from "../panels/RunPanel";
import { VersionsPanel } from "../panels/VersionsPanel";
import { RunContext } from "../run/context";
import { useFollowShownRun } from "../run/follow";
import { createRunStore } from "../run/store";
import { useAppData } from "./appData";
import { takeEditorData } from "./editorData";
import { link } from "./router";

type Tab = "properties" | "project" | "code" | "versions" | "run";

function settingsOf(project: ProjectPublic): ProjectSettings {
  return {
    name: project.name,
    description: project.description,
    task_queue: project.task_queue,
    types: project.types,
    activities: project.activities,
  };
}

export function EditorPage({ projectId, workflowId, run }: { projectId: string; workflowId: string; run?: string }) {
  const { catalogue } = useAppData();
  const [store, setStore] = useState<EditorStore | null>(null);
  // the run shown on the canvas lives beside the document, never in it
  const [runStore] = useState(createRunStore);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setStore(null);
    (async () => {
      const { project, workflow, exported } = await takeEditorData(projectId, workflowId);
      const created = createEditorStore({
        catalogue,
        projectId,
        workflow: workflow.document,
        revision: workflow.revision,
        project: settingsOf(project),
        projectRevision: project.revision,
      });
      exported.then(
        (whole) => created.getState().setProjectWorkflows(whole.workflows),
        (failure: unknown) =>
          created.getState().notify(`Could not load the project's workflows: ${String(failure)}`, "error"),
      );
      const { nodes, edges } = created.getState();
      if (needsLayout(nodes)) {
        created.getState().applyLayout(await autoLayout(nodes, edges, catalogue), { asSaved: true });
      }
      if (!cancelled) setStore(created);
    })().catch((failure: unknown) => {
      if (!cancelled) setError(failure instanceof Error ? failure.message : String(failure));
    });
    return () => {
      cancelled = true;
    };
  }, [catalogue, projectId, workflowId]);

  if (error) {
    return (
      <div className="page">
        <p className="error-text">Could not open the workflow: {error}</p>
        <a href={link.project(projectId)}>Back to the project</a>
      </div>
    );
  }
  if (!store) return <div className="loading">Opening workflow…</div>;
  return (
    <EditorContext.Provider value={store}>
      <RunContext.Provider value={runStore}>
        <ReactFlowProvider>
          <Editor initialRun={run ?? null} />
        </ReactFlowProvider>
      </RunContext.Provider>
    </EditorContext.Provider>
  );
}

function Editor({ initialRun }: { initialRun: string | null }) {
  const store = useEditorStore();
  const { documentSchema } = useAppData();
  const [tab, setTab] = useState<Tab>(initialRun ? "run" : "properties");
  const [finding, setFinding] = useState(false);
  const [showingShortcuts, setShowingShortcuts] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saving, setSaving] = useState(false);
  const projectId = useEditor((state) => state.projectId);
  const projectName = useEditor((state) => state.project.name || state.projectId);
  const name = useEditor((state) => state.meta.name || state.workflowId);
  const dirty = useEditor(isDirty);
  const revision = useEditor((state) => state.revision);
  const canUndo = useEditor((state) => state.past.length > 0);
  const canRedo = useEditor((state) => state.future.length > 0);

  useLiveValidation(store);
  useUnsavedWarning(store);
  useFollowShownRun();

  useEffect(() => {
    document.title = `${dirty ? "• " : ""}${name} · wfd`;
  }, [dirty, name]);

  const runSave = useCallback(
    async (overwrite: Overwrite = {}) => {
      setSaving(true);
      try {
        const outcome = await save(store, overwrite);
        if (outcome.ok) {
          setConflict(null);
          store
            .getState()
            .notify(
              outcome.mergedWith ? `Saved, merged with revision ${outcome.mergedWith} saved elsewhere` : "Saved",
              "success",
            );
        } else if (outcome.conflict) setConflict(outcome.conflict);
        else store.getState().notify(`Not saved: ${outcome.error}`, "error");
      } finally {
        setSaving(false);
      }
    },
    [store],
  );

  const handlers = useMemo(
    () => ({
      save: () => void runSave(),
      find: () => setFinding(true),
      showShortcuts: () => setShowingShortcuts(true),
    }),
    [runSave],
  );
  useShortcuts(store, handlers);

  // the code and run tabs stay: there the selected node's lines (its state in the run) are what
  // the user looks at
  const openProperties = useCallback(
    () => setTab((current) => (current === "code" || current === "run" ? current : "properties")),
    [],
  );

  const closeShortcuts = useCallback(() => setShowingShortcuts(false), []);

  const layout = async () => {
    const { nodes, edges, catalogue } = store.getState();
    store.getState().applyLayout(await autoLayout(nodes, edges, catalogue));
  };

  return (
    <div className="editor">
      <header className="topbar">
        <div className="crumbs">
          <nav className="crumb-links" aria-label="Breadcrumb">
            <a href={link.projects()}>Projects</a>
            <span aria-hidden="true">/</span>
            <a href={link.project(projectId)}>{projectName}</a>
            <span aria-hidden="true">/</span>
          </nav>
          <h1 className="crumbs-current" data-testid="workflow-name">
            {name}
          </h1>
          {dirty ? (
            <span className="unsaved" data-testid="unsaved" title="Unsaved changes">
              ● unsaved
            </span>
          ) : (
            <span className="saved-note" data-testid="saved">
              saved · revision {revision}
            </span>
          )}
        </div>
        <div className="actions">
          <button
            type="button"
            className="icon-button"
            title="Keyboard shortcuts (?)"
            aria-label="Keyboard shortcuts"
            onClick={() => setShowingShortcuts(true)}
          >
            <Keyboard size={16} />
          </button>
          <button type="button" className="icon-button" title="Undo (Ctrl+Z)" aria-label="Undo" disabled={!canUndo} onClick={() => store.getState().undo()}>
            <Undo2 size={16} />
          </button>
          <button type="button" className="icon-button" title="Redo (Ctrl+Shift+Z)" aria-label="Redo" disabled={!canRedo} onClick={() => store.getState().redo()}>
            <Redo2 size={16} />
          </button>
          <button type="button" className="icon-button" title="Find a node (Ctrl+F)" aria-label="Find a node" onClick={() => setFinding(true)}>
            <Search size={16} />
          </button>
          <button type="button" className="button" title="Arrange the graph automatically" onClick={() => void layout()}>
            <LayoutGrid size={14} /> Auto-layout
          </button>
          <button
            type="button"
            className="button primary"
            title="Save (Ctrl+S)"
            disabled={saving}
            onClick={() => void runSave()}
            data-testid="save"
          >
            <Save size={14} /> Save
          </button>
        </div>
      </header>
      <SavedElsewhereBanner />
      <div className="workspace">
        <Palette />
        <main className="canvas-column">
          <div className="canvas">
            <Canvas onOpenNode={openProperties} />
            <EmptyCanvasHint />
            {finding && <FindBar onClose={() => setFinding(false)} />}
            <Toast />
          </div>
          <ProblemsPanel onOpenNode={openProperties} />
        </main>
        <aside className={tab === "code" ? "sidebar wide" : "sidebar"} aria-label="Details">
          <nav className="tabs" role="tablist" aria-label="Details">
            {(["properties", "project", "code", "versions", "run"] as const).map((name) => (
              <button
                key={name}
                id={`tab-${name}`}
                type="button"
                role="tab"
                aria-selected={tab === name}
                aria-controls="tab-panel"
                className={tab === name ? "tab active" : "tab"}
                onClick={() => setTab(name)}
                data-testid={`tab-${name}`}
              >
                {tabTitle(name)}
              </button>
            ))}
          </nav>
          <div className="tab-body" id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
            <h2 className="visually-hidden">{tabTitle(tab)}</h2>
            {tab === "properties" && <Inspector documentSchema={documentSchema} />}
            {tab === "project" && <ProjectPanel documentSchema={documentSchema} />}
            {tab === "code" && <CodePanel />}
            {tab === "versions" && <VersionsPanel />}
            {tab === "run" && <RunPanel initialRun={initialRun} />}
          </div>
        </aside>
      </div>
      {showingShortcuts && <ShortcutsDialog onClose={closeShortcuts} />}
      {conflict && (
        <ConflictDialog
          conflict={conflict}
          onClose={() => setConflict(null)}
          onOverwrite={(overwrite) => void runSave(overwrite)}
        />
      )}
    </div>
  );
}

function tabTitle(tab: Tab): string {
  return tab.charAt(0).toUpperCase() + tab.slice(1);
}

// Drilled into a container: the banner over the canvas that names where the canvas is
// ("Workflow › BUILD › Tests (with Retry)") and leads back out, and the keys that drill in
// (Enter on the one selected container) and back out (Escape).
import { ChevronRight } from "lucide-react";
import { Fragment, useEffect } from "react";

import { useEditor, useEditorStore } from "./context";
import { isEditableTarget } from "./hooks";
import { containerPath, openedContainer } from "./store";

/** Where a key may drill in: nowhere but the canvas itself, a node of it or the page (a button,
 * a link or a field takes Enter for itself). */
function onCanvas(target: EventTarget | null): boolean {
  if (target === document.body) return true;
  if (!(target instanceof Element) || !target.closest(".react-flow")) return false;
  return target.closest("button, a, input, textarea, select, [role='dialog']") === null;
}

/** Enter on the one selected container drills into it; Escape goes back out one level. */
export function useOpenKeys() {
  const store = useEditorStore();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.altKey || event.metaKey || event.shiftKey || event.defaultPrevented) return;
      if (isEditableTarget(event.target)) return;
      const state = store.getState();
      if (event.key === "Enter") {
        if (!onCanvas(event.target)) return;
        const selected = state.nodes.filter((node) => node.selected);
        const only = selected.length === 1 ? selected[0] : undefined;
        if (!only || only.type !== "container" || only.id === openedContainer(state)?.id) return;
        // Enter on another node, focused with Tab, selects that one (React Flow's own key)
        const node = event.target instanceof Element ? event.target.closest<HTMLElement>(".react-flow__node") : null;
        if (node && node.dataset.id !== only.id) return;
        event.preventDefault();
        event.stopPropagation();
        state.openContainer(only.id);
      } else if (event.key === "Escape") {
        const opened = openedContainer(state);
        // a dialog or a popup open over the editor takes Escape for itself
        if (!opened || document.querySelector("[role='dialog'], .find-bar")) return;
        event.preventDefault();
        const around = containerPath(state.nodes, opened.id);
        state.openContainer(around.length > 1 ? (around[around.length - 2]?.id ?? null) : null);
      }
    };
    // before React Flow's own Enter (which selects the focused node, selected already here)
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [store]);
}

export function OpenedBanner() {
  const store = useEditorStore();
  const opened = useEditor((state) => openedContainer(state));
  const path = useEditor((state) => (opened ? pathLabels(state, opened.id) : ""));
  const workflowName = useEditor((state) => state.meta.name || state.workflowId);
  if (!opened) return null;
  const crumbs = path.split("\n").map((entry) => {
    const [id = "", label = ""] = entry.split("\t");
    return { id, label };
  });
  return (
    <nav className="opened-banner" aria-label="Container shown" data-testid="opened-banner">
      <button
        type="button"
        className="opened-crumb"
        title={`Back to the whole workflow ${workflowName} (Esc)`}
        onClick={() => store.getState().openContainer(null)}
        data-testid="opened-workflow"
      >
        Workflow
      </button>
      {crumbs.map((crumb, index) => (
        <Fragment key={crumb.id}>
          <ChevronRight size={14} aria-hidden="true" className="opened-separator" />
          {index === crumbs.length - 1 ? (
            <span className="opened-current" aria-current="location" data-testid="opened-current">
              {crumb.label}
            </span>
          ) : (
            <button type="button" className="opened-crumb" onClick={() => store.getState().openContainer(crumb.id)}>
              {crumb.label}
            </button>
          )}
        </Fragment>
      ))}
      <span className="opened-hint">Esc to go back</span>
    </nav>
  );
}

/** The containers from the outermost to `id`, each as "id\tlabel", one a line: a string, so
 * that the banner renders again only when a label along it changes. */
function pathLabels(state: Parameters<typeof openedContainer>[0], id: string): string {
  return containerPath(state.nodes, id)
    .map((node) => `${node.id}\t${node.data.label || node.data.kind}`)
    .join("\n");
}

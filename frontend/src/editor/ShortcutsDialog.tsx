// Every keyboard shortcut of the editor in one list: opened with `?` or the keyboard button in
// the top bar, closed with Escape. The keys themselves live in hooks.ts (useShortcuts), Canvas
// (React Flow's node keys, collapsing containers), OpenedBanner (focusing on a container),
// FindBar and Palette; a shortcut added there is listed here too.
import { X } from "lucide-react";
import { Fragment, useEffect, useId, useRef } from "react";

/** Ctrl on Linux and Windows, ⌘ on a Mac: what the shortcuts with Ctrl take there. */
const MOD = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘" : "Ctrl";

interface Shortcut {
  /** Alternatives, each a list of keys pressed together. */
  keys: string[][];
  does: string;
}

export const SHORTCUT_GROUPS: { title: string; shortcuts: Shortcut[] }[] = [
  {
    title: "Workflow",
    shortcuts: [
      { keys: [[MOD, "S"]], does: "Save" },
      { keys: [[MOD, "Z"]], does: "Undo" },
      { keys: [[MOD, "Shift", "Z"], [MOD, "Y"]], does: "Redo" },
      { keys: [[MOD, "F"]], does: "Find a node by label, id or kind" },
      { keys: [["?"]], does: "Show these shortcuts" },
    ],
  },
  {
    title: "Selection",
    shortcuts: [
      { keys: [[MOD, "A"]], does: "Select every node" },
      { keys: [["Shift", "click"], [MOD, "click"]], does: "Add a node to the selection, or take it out" },
      { keys: [["Shift", "drag"]], does: "Select the nodes in a box" },
      { keys: [["Delete"], ["Backspace"]], does: "Delete the selected nodes and edges" },
      { keys: [[MOD, "C"]], does: "Copy the selected nodes" },
      { keys: [[MOD, "X"]], does: "Cut the selected nodes" },
      { keys: [[MOD, "V"]], does: "Paste the copied nodes" },
    ],
  },
  {
    title: "Canvas",
    shortcuts: [
      { keys: [["Tab"]], does: "Move the focus from node to node" },
      { keys: [["Enter"], ["Space"]], does: "Select the focused node" },
      { keys: [["Escape"]], does: "Unselect the focused node" },
      { keys: [["←"], ["↑"], ["↓"], ["→"]], does: "Move the selected nodes (with Shift: four times as far)" },
      { keys: [["-"]], does: "Collapse the selected containers" },
      { keys: [["+"], ["="]], does: "Expand the selected containers" },
      { keys: [["Enter"], ["double-click", "header"]], does: "Focus on the selected container: show only what it holds" },
      { keys: [["Escape"]], does: "Leave the focused container (back up one level)" },
      { keys: [["Space", "drag"]], does: "Pan the canvas" },
      { keys: [["Enter"]], does: "Add the focused palette kind to the workflow" },
    ],
  },
  {
    title: "Find bar",
    shortcuts: [
      { keys: [["↑"], ["↓"]], does: "Move through the nodes found" },
      { keys: [["Enter"]], does: "Go to the node" },
      { keys: [["Escape"]], does: "Close the find bar" },
    ],
  },
];

export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  const titleId = useId();
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    // the focus goes into the dialog, and back where it was once the dialog closes
    const before = document.activeElement;
    closeRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.preventDefault();
        onClose();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      if (before instanceof HTMLElement) before.focus();
    };
  }, [onClose]);

  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div
        className="dialog shortcuts-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="shortcuts-dialog"
        onClick={(event) => event.stopPropagation()}
      >
        <div className="shortcuts-head">
          <h2 id={titleId}>Keyboard shortcuts</h2>
          <button ref={closeRef} type="button" className="icon-button" aria-label="Close" title="Close (Esc)" onClick={onClose}>
            <X size={16} />
          </button>
        </div>
        {SHORTCUT_GROUPS.map((group) => (
          <section key={group.title} className="shortcuts-group">
            <h3>{group.title}</h3>
            <dl className="shortcuts-list">
              {group.shortcuts.map((shortcut) => (
                <Fragment key={shortcut.does}>
                  <dt>
                    {shortcut.keys.map((combination, index) => (
                      <Fragment key={index}>
                        {index > 0 && <span className="muted"> or </span>}
                        {combination.map((key, at) => (
                          <Fragment key={at}>
                            {at > 0 && " "}
                            <kbd>{key}</kbd>
                          </Fragment>
                        ))}
                      </Fragment>
                    ))}
                  </dt>
                  <dd>{shortcut.does}</dd>
                </Fragment>
              ))}
            </dl>
          </section>
        ))}
        <p className="muted shortcuts-note">
          Keys typed in a field belong to the field; {MOD}+S and {MOD}+F work everywhere.
        </p>
      </div>
    </div>
  );
}

// The "+" under a node's output port opens this: the palette's kinds, grouped the same way and
// filtered as the user types; the chosen kind is added below the port, connected from it.
// A combobox: arrow keys move through the list, Enter adds, Escape closes.
import { Search } from "lucide-react";
import {
  createContext,
  type KeyboardEvent,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";

import type { NodeKind } from "../api/types";
import { KindIcon } from "../components/KindIcon";
import { matchingGroups } from "../document/catalogue";
import { useEditor, useEditorStore } from "./context";
import { useCanvasView } from "./reveal";

export interface PortPick {
  nodeId: string;
  handle: string;
  /** Says where the node goes, e.g. "Add a node after Large order? (true)". */
  title: string;
  /** The "+" that opened it: the picker opens under it, and gives it the focus back. */
  anchor: HTMLElement;
}

/** Opens the picker for a port; given to the nodes by the canvas. */
export const PortPickerContext = createContext<((pick: PortPick) => void) | null>(null);

export function useOpenPortPicker() {
  return useContext(PortPickerContext);
}

const WIDTH = 260;
const MARGIN = 8;

export function PortPicker({ pick, onClose }: { pick: PortPick; onClose(): void }) {
  const store = useEditorStore();
  const catalogue = useEditor((state) => state.catalogue);
  const { reveal } = useCanvasView();
  const [query, setQuery] = useState("");
  /** The option the arrow keys moved to; -1 until they do. */
  const [active, setActive] = useState(-1);
  const root = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const [place] = useState(() => placeUnder(pick.anchor));
  const baseId = useId();
  const listId = `${baseId}-list`;
  // a node that starts a flow of its own takes no incoming edge: nothing to connect it from
  const groups = useMemo(() => matchingGroups(catalogue, query, (kind) => kind.has_input), [catalogue, query]);
  const choices = useMemo(() => groups.flatMap((group) => group.kinds), [groups]);
  // until the user moves through the list, the kind whose name best matches what was typed
  const chosen = active >= 0 ? Math.min(active, choices.length - 1) : bestMatch(choices, query);
  const current = choices[chosen];
  const optionId = (kind: string) => `${baseId}-kind-${kind}`;

  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: "nearest" });
  }, [current]);

  // a press anywhere else closes it, and so does a wheel that would move the view from under it
  useEffect(() => {
    const outside = (event: Event) => {
      const target = event.target;
      if (!(target instanceof Node) || root.current?.contains(target)) return;
      if (event.type === "pointerdown" && pick.anchor.contains(target)) return;
      onClose();
    };
    document.addEventListener("pointerdown", outside, true);
    document.addEventListener("wheel", outside, true);
    return () => {
      document.removeEventListener("pointerdown", outside, true);
      document.removeEventListener("wheel", outside, true);
    };
  }, [onClose, pick.anchor]);

  const close = () => {
    onClose();
    pick.anchor.focus();
  };

  const choose = (kind: string) => {
    const state = store.getState();
    const answer = state.addNodeFromPort(pick.nodeId, pick.handle, kind);
    onClose();
    if ("refusal" in answer) {
      state.notify(answer.refusal, "error");
      pick.anchor.focus();
      return;
    }
    reveal(answer.added);
    focusNode(answer.added);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const count = choices.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!count) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((chosen + step + count) % count);
    } else if (event.key === "Home" && event.ctrlKey) {
      event.preventDefault();
      setActive(0);
    } else if (event.key === "End" && event.ctrlKey) {
      event.preventDefault();
      setActive(Math.max(0, count - 1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (current) choose(current.kind);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "Tab") {
      onClose();
    }
  };

  return (
    <div
      ref={root}
      className="port-picker"
      role="dialog"
      aria-label={pick.title}
      data-testid="port-picker"
      style={{ ...place, width: WIDTH }}
    >
      <label className="search">
        <Search size={14} />
        <input
          type="text"
          role="combobox"
          aria-label={pick.title}
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={current ? optionId(current.kind) : undefined}
          placeholder="Search nodes"
          autoFocus
          autoComplete="off"
          spellCheck={false}
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setActive(-1);
          }}
          onKeyDown={onKeyDown}
        />
      </label>
      <div className="port-picker-list" id={listId} role="listbox" aria-label="Node kinds" ref={listRef}>
        {groups.map((group) => (
          <div key={group.category} role="group" aria-labelledby={`${baseId}-group-${group.category}`}>
            <div className="port-picker-group" id={`${baseId}-group-${group.category}`} role="presentation">
              {group.category}
            </div>
            {group.kinds.map((kind) => (
              <div
                key={kind.kind}
                id={optionId(kind.kind)}
                role="option"
                aria-selected={kind === current}
                className={kind === current ? "port-picker-option active" : "port-picker-option"}
                data-kind={kind.kind}
                title={kind.description}
                style={{ "--kind-color": kind.color } as React.CSSProperties}
                // the input keeps the focus: the press chooses, it does not blur
                onMouseDown={(event) => event.preventDefault()}
                onMouseMove={() => setActive(choices.indexOf(kind))}
                onClick={() => choose(kind.kind)}
              >
                <span className="node-icon small">
                  <KindIcon name={kind.icon} size={14} />
                </span>
                <span className="palette-label">{kind.label}</span>
              </div>
            ))}
          </div>
        ))}
        {choices.length === 0 && <p className="muted pad">No node kind matches “{query}”.</p>}
      </div>
    </div>
  );
}

/** Gives the focus to a node just added (Delete, Ctrl+Z and the arrow keys act on it next), once
 * React Flow shows it: it draws a new node hidden until it has measured it. */
function focusNode(nodeId: string, frames = 30) {
  const element = document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`);
  element?.focus();
  if (document.activeElement !== element && frames > 0) requestAnimationFrame(() => focusNode(nodeId, frames - 1));
}

/** The first kind whose label or name starts with `query`, else the first whose label holds it,
 * else the first listed (matched by its description). */
function bestMatch(choices: readonly NodeKind[], query: string): number {
  const needle = query.trim().toLowerCase();
  if (!needle) return 0;
  const starts = choices.findIndex(
    (kind) => kind.label.toLowerCase().startsWith(needle) || kind.kind.startsWith(needle),
  );
  if (starts >= 0) return starts;
  return Math.max(0, choices.findIndex((kind) => kind.label.toLowerCase().includes(needle)));
}

const HEIGHT = 360;

/** Under the "+" (or above it, when the window has more room there), inside the window. */
function placeUnder(anchor: HTMLElement): { left: number; maxHeight: number; top?: number; bottom?: number } {
  const box = anchor.getBoundingClientRect();
  const left = Math.max(MARGIN, Math.min(box.left + box.width / 2 - WIDTH / 2, window.innerWidth - WIDTH - MARGIN));
  const below = window.innerHeight - box.bottom - 2 * MARGIN;
  const above = box.top - 2 * MARGIN;
  if (below >= Math.min(HEIGHT, above)) return { left, top: box.bottom + MARGIN / 2, maxHeight: Math.min(HEIGHT, below) };
  return { left, bottom: window.innerHeight - box.top + MARGIN / 2, maxHeight: Math.min(HEIGHT, above) };
}

// Undo and redo: every edit records the state before it, unless it continues the last edit of
// the same kind within moments (a word typed, a burst of arrow keys); a drag or a resize is one
// step from the state it began in.
import type { StoreApi } from "zustand/vanilla";

import type { FlowNode } from "../../document/mapping";
import type { EditorState, Snapshot } from "../store";
import type { Slice } from "./context";

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1500;

let nextTag = 1;

/** A tag no state of any editor has had: it names a new state of the document. */
export function newTag(): number {
  return nextTag++;
}

export interface History {
  snapshot(): Snapshot;
  /** What an edit sets besides its change: `before` (by default the state now) remembered for
   * undo, unless the edit continues the last one of the same `key`, and a new tag. */
  recorded(key?: string, before?: Snapshot): Partial<EditorState>;
  /** Call before an edit: remembers the state it changes, unless it continues the last one. */
  record(key?: string): void;
  /** The next edit is an undo step of its own. */
  breakCoalescing(): void;
  /** A drag, a resize or a key move begins: its undo step goes back to the state now. */
  beginGesture(): void;
  /** Ends the gesture: the state it began in (null: none began). */
  takeGesture(): Snapshot | null;
}

export function createHistory(set: StoreApi<EditorState>["setState"], get: () => EditorState): History {
  let lastEdit: { key: string; at: number } | null = null;
  let gesture: Snapshot | null = null;

  const snapshot = (): Snapshot => {
    const { nodes, edges, meta, collapsed, project, tag, opened } = get();
    return { nodes, edges, meta, collapsed, project, tag, opened };
  };

  const recorded = (key?: string, before?: Snapshot): Partial<EditorState> => {
    const now = Date.now();
    if (key && lastEdit && lastEdit.key === key && now - lastEdit.at < COALESCE_MS) {
      lastEdit.at = now;
      return { future: [], tag: newTag() };
    }
    lastEdit = key ? { key, at: now } : null;
    const past = [...get().past, before ?? snapshot()].slice(-HISTORY_LIMIT);
    return { past, future: [], tag: newTag() };
  };

  return {
    snapshot,
    recorded,
    record: (key) => set(recorded(key)),
    breakCoalescing: () => {
      lastEdit = null;
    },
    beginGesture: () => {
      gesture = snapshot();
    },
    takeGesture: () => {
      const began = gesture;
      gesture = null;
      return began;
    },
  };
}

export const historySlice: Slice<"beginGesture" | "undo" | "redo"> = ({ set, get, history }) => {
  /** The container focused on once undo or redo brings `state` back: the one focused on in
   * it, where this brings that container back; else the one focused on now, if it is still
   * there (a container that is gone is no view). */
  const openedAfter = (state: Snapshot): string | null => {
    const holds = (nodes: FlowNode[], id: string) => nodes.some((node) => node.id === id && node.type === "container");
    const { nodes, opened } = get();
    if (state.opened && holds(state.nodes, state.opened) && !holds(nodes, state.opened)) return state.opened;
    return opened && holds(state.nodes, opened) ? opened : null;
  };

  return {
    beginGesture() {
      history.beginGesture();
    },

    undo() {
      const { past } = get();
      const previous = past[past.length - 1];
      if (!previous) return;
      history.breakCoalescing();
      set({
        ...previous,
        opened: openedAfter(previous),
        past: past.slice(0, -1),
        future: [history.snapshot(), ...get().future],
      });
    },

    redo() {
      const [next, ...rest] = get().future;
      if (!next) return;
      history.breakCoalescing();
      set({ ...next, opened: openedAfter(next), future: rest, past: [...get().past, history.snapshot()] });
    },
  };
};

// Undo and redo: every edit records the state before it, unless it continues the last edit of
// the same kind within moments (a word typed, a burst of arrow keys); a drag or a resize is one
// step from the state it began in.
import type { StoreApi } from "zustand/vanilla";

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
    const { nodes, edges, meta, collapsed, project, tag } = get();
    return { nodes, edges, meta, collapsed, project, tag };
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

export const historySlice: Slice<"beginGesture" | "undo" | "redo"> = ({ set, get, history }) => ({
  beginGesture() {
    history.beginGesture();
  },

  undo() {
    const { past } = get();
    const previous = past[past.length - 1];
    if (!previous) return;
    history.breakCoalescing();
    set({ ...previous, past: past.slice(0, -1), future: [history.snapshot(), ...get().future] });
  },

  redo() {
    const [next, ...rest] = get().future;
    if (!next) return;
    history.breakCoalescing();
    set({ ...next, future: rest, past: [...get().past, history.snapshot()] });
  },
});

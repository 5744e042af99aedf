import { createContext, useContext } from "react";
import { useStore } from "zustand";

import type { EditorState, EditorStore } from "./store";

export const EditorContext = createContext<EditorStore | null>(null);

export function useEditorStore(): EditorStore {
  const store = useContext(EditorContext);
  if (!store) throw new Error("useEditor outside an open workflow");
  return store;
}

/** Reads one slice of the open workflow's store; the component re-renders when it changes. */
export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditorStore(), selector);
}

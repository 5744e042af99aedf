import { createContext, useContext } from "react";
import { useStore } from "zustand";

import { createRunStore, type RunState, type RunStore } from "./store";

export const RunContext = createContext<RunStore | null>(null);

// outside an editor (nothing runs there) nodes read this empty store
const NO_RUN = createRunStore();

export function useRunStore(): RunStore {
  return useContext(RunContext) ?? NO_RUN;
}

/** Reads one slice of the Run panel's store. */
export function useRun<T>(selector: (state: RunState) => T): T {
  return useStore(useRunStore(), selector);
}

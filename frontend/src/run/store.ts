// The Run panel's state, one store per open workflow: the deployment, its runs, and the run
// shown on the canvas (kept apart from the editor's store, so it is never part of the document).
import { createStore, type StoreApi } from "zustand/vanilla";

import { applyRunEvent, EMPTY_VIEW, type RunView } from "./view";
import type { Deployment, RunEvent, RunListItem, RuntimeInfo } from "./types";

export interface ShownRun {
  workflowId: string;
  runId: string | null;
}

export interface RunState extends RunView {
  runtime: RuntimeInfo | null;
  deployment: Deployment | null;
  runs: RunListItem[];
  shown: ShownRun | null;
  /** The stream is open (the run is followed live). */
  live: boolean;
  streamError: string | null;
  /** The run the page's link names (`?run=`) has been shown; it is not shown again. */
  linkedRunShown: boolean;

  setRuntime(runtime: RuntimeInfo | null): void;
  setDeployment(deployment: Deployment | null): void;
  setRuns(runs: RunListItem[]): void;
  show(run: ShownRun | null): void;
  receive(event: RunEvent): void;
  setLive(live: boolean, error?: string | null): void;
  setLinkedRunShown(): void;
}

export type RunStore = StoreApi<RunState>;

export function createRunStore(): RunStore {
  return createStore<RunState>()((set, get) => ({
    ...EMPTY_VIEW,
    runtime: null,
    deployment: null,
    runs: [],
    shown: null,
    live: false,
    streamError: null,
    linkedRunShown: false,

    setRuntime: (runtime) => set({ runtime }),
    setDeployment: (deployment) => set({ deployment }),
    setRuns: (runs) => set({ runs }),
    show(run) {
      set({ ...EMPTY_VIEW, shown: run, live: false, streamError: null });
    },
    receive(event) {
      if (event.event === "error") {
        set({ streamError: event.data.detail });
        return;
      }
      const view = applyRunEvent(get(), event);
      set({
        summary: view.summary,
        nodes: view.nodes,
        timeline: view.timeline,
        firstFailure: view.firstFailure,
        stuck: view.stuck,
        outcome: view.outcome,
        result: view.result,
        failure: view.failure,
      });
    },
    setLive: (live, error = null) => set({ live, streamError: error }),
    setLinkedRunShown: () => set({ linkedRunShown: true }),
  }));
}

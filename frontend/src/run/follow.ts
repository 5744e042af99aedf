import { useEffect } from "react";

import { runApi } from "./api";
import { useRun, useRunStore } from "./context";

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Follows the shown run's event stream while it is shown (whichever panel is open). */
export function useFollowShownRun(): void {
  const runStore = useRunStore();
  const shown = useRun((state) => state.shown);
  useEffect(() => {
    if (!shown) return;
    const controller = new AbortController();
    runStore.getState().setLive(true);
    runApi
      .follow(shown.workflowId, shown.runId, (event) => runStore.getState().receive(event), controller.signal)
      .then(
        () => runStore.getState().setLive(false),
        (error: unknown) => {
          if (!controller.signal.aborted) runStore.getState().setLive(false, message(error));
        },
      );
    return () => controller.abort();
  }, [runStore, shown]);
}

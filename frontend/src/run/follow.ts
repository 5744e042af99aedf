import { useEffect } from "react";

import { runApi } from "./api";
import { useRun, useRunStore } from "./context";
import { StreamRefused } from "./sse";
import type { RunEvent } from "./types";

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Pauses before opening a dropped stream again, growing with each try in a row. */
export const RETRY_PAUSES_MS = [1000, 2000, 5000, 10000];

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

export interface Following {
  /** Opens the stream; resolves when it closes, rejects when it fails. */
  open(onEvent: (event: RunEvent) => void): Promise<void>;
  /** Each event of the stream (the `error` event too). */
  onEvent(event: RunEvent): void;
  /** The stream is open (`live`), or not, and why not when it should be. */
  report(live: boolean, error: string | null): void;
}

/** Follows a run's stream until the run ends or `signal` aborts. A stream that closes before the
 * `end` event, fails on the way or sends an `error` event (a server restart, a network blip,
 * Temporal away) is opened again after a growing pause, and gives a fresh snapshot; one the
 * server refuses (no such run) is not. */
export async function keepFollowing(
  following: Following,
  signal: AbortSignal,
  pause: (milliseconds: number, signal: AbortSignal) => Promise<void> = sleep,
): Promise<void> {
  let tries = 0;
  while (!signal.aborted) {
    let ended = false;
    let failed: string | null = null;
    let heard = false;
    following.report(true, null);
    try {
      await following.open((event) => {
        heard = true;
        if (event.event === "end") ended = true;
        if (event.event === "error") failed = event.data.detail;
        following.onEvent(event);
      });
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof StreamRefused) {
        following.report(false, message(error));
        return;
      }
      failed = message(error);
    }
    if (signal.aborted) return;
    if (ended && failed === null) {
      following.report(false, null);
      return;
    }
    // a stream that gave events was working: start the pauses over
    tries = heard ? 0 : tries + 1;
    const wait = RETRY_PAUSES_MS[Math.min(tries, RETRY_PAUSES_MS.length - 1)] ?? 10000;
    following.report(false, `${failed ?? "the stream closed early"}; trying again in ${Math.round(wait / 1000)} s`);
    await pause(wait, signal);
  }
}

/** Follows the shown run's event stream while it is shown (whichever panel is open). */
export function useFollowShownRun(): void {
  const runStore = useRunStore();
  const shown = useRun((state) => state.shown);
  useEffect(() => {
    if (!shown) return;
    const controller = new AbortController();
    void keepFollowing(
      {
        open: (onEvent) => runApi.follow(shown.workflowId, shown.runId, onEvent, controller.signal),
        onEvent: (event) => runStore.getState().receive(event),
        report: (live, error) => runStore.getState().setLive(live, error),
      },
      controller.signal,
    );
    return () => controller.abort();
  }, [runStore, shown]);
}

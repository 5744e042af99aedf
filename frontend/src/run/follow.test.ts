import { describe, expect, it } from "vitest";

import { keepFollowing, RETRY_PAUSES_MS } from "./follow";
import { StreamRefused } from "./sse";
import type { RunEvent } from "./types";

const snapshot = { event: "snapshot", data: { nodes: {} } } as unknown as RunEvent;
const end = { event: "end", data: { outcome: "completed" } } as unknown as RunEvent;
const error = { event: "error", data: { detail: "Temporal did not answer" } } as RunEvent;

/** A stream that plays `streams` in turn: each a list of events, then a close or a failure. */
function scripted(streams: (RunEvent[] | Error)[]) {
  const reports: [boolean, string | null][] = [];
  const received: string[] = [];
  const pauses: number[] = [];
  let opened = 0;
  const following = {
    open: async (onEvent: (event: RunEvent) => void) => {
      const next = streams[opened++];
      if (next === undefined) throw new Error("opened once too often");
      if (next instanceof Error) throw next;
      next.forEach(onEvent);
    },
    onEvent: (event: RunEvent) => received.push(event.event),
    report: (live: boolean, why: string | null) => reports.push([live, why]),
  };
  const pause = async (milliseconds: number) => {
    pauses.push(milliseconds);
  };
  return { following, pause, reports, received, pauses, opened: () => opened };
}

describe("following a run", () => {
  it("stops at the end event", async () => {
    const run = scripted([[snapshot, end]]);
    await keepFollowing(run.following, new AbortController().signal, run.pause);
    expect(run.received).toEqual(["snapshot", "end"]);
    expect(run.reports).toEqual([
      [true, null],
      [false, null],
    ]);
    expect(run.pauses).toEqual([]);
  });

  it("opens a stream that closed before the end again, and one that failed, pausing longer each time", async () => {
    const run = scripted([[snapshot], new Error("network error"), new Error("network error"), [snapshot, end]]);
    await keepFollowing(run.following, new AbortController().signal, run.pause);
    expect(run.opened()).toBe(4);
    expect(run.pauses).toEqual([RETRY_PAUSES_MS[0], RETRY_PAUSES_MS[1], RETRY_PAUSES_MS[2]]);
    expect(run.reports[1]).toEqual([false, "the stream closed early; trying again in 1 s"]);
    expect(run.reports[3]).toEqual([false, "network error; trying again in 2 s"]);
    expect(run.reports.at(-1)).toEqual([false, null]);
  });

  it("keeps the words of an error event while it waits to try again", async () => {
    const run = scripted([[snapshot, error], [snapshot, end]]);
    await keepFollowing(run.following, new AbortController().signal, run.pause);
    expect(run.received).toEqual(["snapshot", "error", "snapshot", "end"]);
    expect(run.reports[1]).toEqual([false, "Temporal did not answer; trying again in 1 s"]);
  });

  it("gives up on a stream the server refuses", async () => {
    const run = scripted([new StreamRefused("no run package-build-@t/pad", 404)]);
    await keepFollowing(run.following, new AbortController().signal, run.pause);
    expect(run.opened()).toBe(1);
    expect(run.reports.at(-1)).toEqual([false, "no run package-build-@t/pad"]);
  });

  it("stops when it is told to", async () => {
    const controller = new AbortController();
    const run = scripted([[snapshot], [snapshot]]);
    const pause = async () => controller.abort();
    await keepFollowing(run.following, controller.signal, pause);
    expect(run.opened()).toBe(1);
  });
});

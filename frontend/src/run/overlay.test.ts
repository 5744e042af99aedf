import { describe, expect, it } from "vitest";

import { failureWords, formatDuration, nodeBadge, runStatusTone } from "./overlay";
import type { NodeRunState } from "./types";

function state(changes: Partial<NodeRunState>): NodeRunState {
  return {
    node_id: "n",
    status: "not_reached",
    count: 0,
    attempt: null,
    started_at: null,
    ended_at: null,
    duration_ms: null,
    input: null,
    output: null,
    error: null,
    last_failure: null,
    children: [],
    compensation: null,
    ...changes,
  };
}

describe("a node's look in a run", () => {
  it("has no badge without a run", () => {
    expect(nodeBadge(undefined)).toBeNull();
  });

  it("colours each state", () => {
    const tone = (status: NodeRunState["status"]) => nodeBadge(state({ status, count: 1 }))?.className;
    expect(tone("completed")).toBe("run-completed");
    expect(tone("running")).toBe("run-running");
    expect(tone("failed")).toBe("run-failed");
    expect(tone("retrying")).toBe("run-retrying");
    expect(tone("waiting")).toBe("run-waiting");
    expect(tone("cancelled")).toBe("run-ended");
    expect(tone("timed_out")).toBe("run-ended");
    expect(tone("not_reached")).toBe("run-not-reached");
  });

  it("says which attempt a retrying step is on, and counts loops", () => {
    expect(nodeBadge(state({ status: "retrying", attempt: 3, count: 1 }))).toEqual({
      className: "run-retrying",
      label: "attempt 3",
      count: "",
    });
    expect(nodeBadge(state({ status: "completed", count: 4 }))?.count).toBe("×4");
    expect(nodeBadge(state({ status: "timed_out", count: 1 }))?.label).toBe("timed out");
  });

  it("gives run statuses the node colours", () => {
    expect(runStatusTone("COMPLETED")).toBe("run-completed");
    expect(runStatusTone("FAILED")).toBe("run-failed");
    expect(runStatusTone("TERMINATED")).toBe("run-ended");
    expect(runStatusTone(null)).toBe("run-not-reached");
  });

  it("writes durations in the unit that reads best", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(42)).toBe("42 ms");
    expect(formatDuration(2500)).toBe("2.50 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });
});

describe("the first failure's banner", () => {
  it("names the node once when the message begins with its label", () => {
    expect(failureWords("Charge", "Charge (charge) failed: card declined")).toEqual({
      label: "Charge",
      rest: " (charge) failed: card declined",
    });
  });

  it("puts the label before a message that does not name it", () => {
    expect(failureWords("Charge", "card declined")).toEqual({ label: "Charge", rest: ": card declined" });
    expect(failureWords("Charge", "")).toEqual({ label: "Charge", rest: "" });
  });
});

import { describe, expect, it } from "vitest";

import { applyRunEvent, EMPTY_VIEW } from "./view";
import type { NodeRunState } from "./types";

function node(node_id: string, status: NodeRunState["status"], extra: Partial<NodeRunState> = {}): NodeRunState {
  return {
    node_id,
    status,
    count: status === "not_reached" ? 0 : 1,
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
    ...extra,
  };
}

const summary = {
  workflow_id: "greet-1",
  run_id: "r1",
  status: "RUNNING" as const,
  deployment_id: "hello-draft-1",
  workflow: "greet",
  first_failure: null,
  stuck: null,
  web_url: null,
  stand_ins: {},
};

describe("the shown run, built from the stream", () => {
  const snapshot = applyRunEvent(EMPTY_VIEW, {
    event: "snapshot",
    data: {
      ...summary,
      event_time: "2026-01-01T10:00:02Z",
      nodes: {
        start: node("start", "completed", { ended_at: "2026-01-01T10:00:01Z" }),
        say: node("say", "running", { started_at: "2026-01-01T10:00:02Z" }),
        finish: node("finish", "not_reached"),
      },
    },
  });

  it("takes every node's state from the snapshot, with the reached ones on the timeline in order", () => {
    expect(snapshot.summary?.status).toBe("RUNNING");
    expect(snapshot.nodes.say?.status).toBe("running");
    expect(snapshot.timeline.map((entry) => [entry.nodeId, entry.status])).toEqual([
      ["start", "completed"],
      ["say", "running"],
    ]);
  });

  it("puts a node with no time of its own after the timed node before it, not first", () => {
    const view = applyRunEvent(EMPTY_VIEW, {
      event: "snapshot",
      data: {
        ...summary,
        event_time: "2026-01-01T10:00:03Z",
        nodes: {
          start: node("start", "completed", { ended_at: "2026-01-01T10:00:01Z" }),
          fetch: node("fetch", "completed", { ended_at: "2026-01-01T10:00:02Z" }),
          keep: node("keep", "completed"),
          say: node("say", "running", { started_at: "2026-01-01T10:00:03Z" }),
        },
      },
    });
    expect(view.timeline.map((entry) => [entry.nodeId, entry.time])).toEqual([
      ["start", "2026-01-01T10:00:01Z"],
      ["fetch", "2026-01-01T10:00:02Z"],
      ["keep", null],
      ["say", "2026-01-01T10:00:03Z"],
    ]);
  });

  it("merges changed nodes and adds only real changes to the timeline", () => {
    const next = applyRunEvent(snapshot, {
      event: "nodes",
      data: {
        run_id: "r1",
        event_time: "2026-01-01T10:00:05Z",
        first_failure: { node_id: "say", message: "boom" },
        stuck: null,
        nodes: {
          say: node("say", "retrying", { attempt: 2 }),
          start: node("start", "completed", { ended_at: "2026-01-01T10:00:01Z" }),
        },
      },
    });
    expect(next.nodes.say?.status).toBe("retrying");
    expect(next.nodes.finish?.status).toBe("not_reached");
    expect(next.timeline.slice(2)).toEqual([
      { time: "2026-01-01T10:00:05Z", nodeId: "say", status: "retrying", attempt: 2, count: 1 },
    ]);
    expect(next.firstFailure).toEqual({ node_id: "say", message: "boom" });
    // the earlier view is left as it was
    expect(snapshot.nodes.say?.status).toBe("running");
  });

  it("says a run is stuck while its workflow task fails, and no longer once it moves on", () => {
    const stuck = applyRunEvent(snapshot, {
      event: "nodes",
      data: { run_id: "r1", event_time: null, first_failure: null, nodes: {}, stuck: "WorkflowId is not set" },
    });
    expect(stuck.stuck).toBe("WorkflowId is not set");
    expect(stuck.nodes).toEqual(snapshot.nodes);
    const moved = applyRunEvent(stuck, {
      event: "nodes",
      data: { run_id: "r1", event_time: null, first_failure: null, nodes: {}, stuck: null },
    });
    expect(moved.stuck).toBeNull();
    const ended = applyRunEvent(stuck, {
      event: "end",
      data: { workflow_id: "greet-1", run_id: "r1", outcome: "terminated", event_time: null, first_failure: null },
    });
    expect(ended.stuck).toBeNull();
  });

  it("ends with the outcome, the result, and the run's status", () => {
    const ended = applyRunEvent(snapshot, {
      event: "end",
      data: {
        workflow_id: "greet-1",
        run_id: "r1",
        outcome: "failed",
        event_time: null,
        failure: "boom",
        first_failure: { node_id: "say", message: "boom" },
      },
    });
    expect(ended.summary?.status).toBe("FAILED");
    expect(ended.outcome).toBe("failed");
    expect(ended.failure).toBe("boom");
    expect(ended.firstFailure?.node_id).toBe("say");
  });
});

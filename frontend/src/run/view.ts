// The shown run as the editor keeps it: built from the stream's events by a pure reducer, so
// the canvas overlay never touches the document (nothing here is saved or marks it unsaved).
import type { FirstFailure, NodeRunState, NodeStatus, RunEvent, RunStatus, RunSummary } from "./types";

export interface TimelineEntry {
  time: string | null;
  nodeId: string;
  status: NodeStatus;
  attempt: number | null;
  count: number;
}

export interface RunView {
  summary: RunSummary | null;
  nodes: Record<string, NodeRunState>;
  timeline: TimelineEntry[];
  firstFailure: FirstFailure | null;
  /** Why the workflow's code is stuck (a failing workflow task Temporal retries), if it is. */
  stuck: string | null;
  /** The stream said the run ended: `completed`, `failed`, ... */
  outcome: string | null;
  result: unknown;
  failure: string | null;
}

export const EMPTY_VIEW: RunView = {
  summary: null,
  nodes: {},
  timeline: [],
  firstFailure: null,
  stuck: null,
  outcome: null,
  result: null,
  failure: null,
};

const TIMELINE_LIMIT = 500;

const OUTCOME_STATUS: Record<string, RunStatus> = {
  completed: "COMPLETED",
  failed: "FAILED",
  cancelled: "CANCELED",
  canceled: "CANCELED",
  terminated: "TERMINATED",
  timed_out: "TIMED_OUT",
  continued_as_new: "CONTINUED_AS_NEW",
};

function entry(time: string | null, state: NodeRunState): TimelineEntry {
  return { time, nodeId: state.node_id, status: state.status, attempt: state.attempt, count: state.count };
}

function changedEnough(before: NodeRunState | undefined, after: NodeRunState): boolean {
  return (
    !before || before.status !== after.status || before.attempt !== after.attempt || before.count !== after.count
  );
}

/** The timeline a snapshot implies: each reached node at its last change, oldest first. A node
 * with no time of its own (a set_state, a join: no command in history) goes right after the
 * timed node before it in the snapshot, which lists nodes in the document's order. */
function timelineOf(nodes: Record<string, NodeRunState>): TimelineEntry[] {
  let before = "";
  return Object.values(nodes)
    .filter((state) => state.status !== "not_reached")
    .map((state, index) => {
      const time = state.ended_at ?? state.started_at;
      if (time) before = time;
      return { entry: entry(time, state), key: time ?? before, index };
    })
    .sort((a, b) => a.key.localeCompare(b.key) || a.index - b.index)
    .map(({ entry }) => entry);
}

export function applyRunEvent(view: RunView, event: RunEvent): RunView {
  switch (event.event) {
    case "snapshot": {
      const { nodes, event_time: _time, ...summary } = event.data;
      return {
        ...EMPTY_VIEW,
        summary,
        nodes,
        timeline: timelineOf(nodes),
        firstFailure: summary.first_failure,
        stuck: summary.stuck,
      };
    }
    case "nodes": {
      const changes = Object.values(event.data.nodes);
      const added = changes
        .filter((state) => changedEnough(view.nodes[state.node_id], state))
        .map((state) => entry(event.data.event_time, state));
      return {
        ...view,
        nodes: { ...view.nodes, ...event.data.nodes },
        timeline: [...view.timeline, ...added].slice(-TIMELINE_LIMIT),
        firstFailure: event.data.first_failure ?? view.firstFailure,
        stuck: event.data.stuck,
      };
    }
    case "end": {
      const status = event.data.outcome ? OUTCOME_STATUS[event.data.outcome] : undefined;
      return {
        ...view,
        summary: view.summary ? { ...view.summary, status: status ?? view.summary.status } : view.summary,
        outcome: event.data.outcome,
        result: event.data.result ?? null,
        failure: event.data.failure ?? null,
        firstFailure: event.data.first_failure ?? view.firstFailure,
        stuck: null,
      };
    }
    default:
      return view;
  }
}

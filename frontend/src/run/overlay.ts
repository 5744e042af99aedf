// How a node's state in a run looks on the canvas: a colour (a CSS class) and a short badge.
import type { NodeRunState, NodeStatus, RunStatus } from "./types";

export interface NodeBadge {
  /** `run-completed`, `run-running`, ...: colours the node's frame. */
  className: string;
  /** The badge's words: "completed", "attempt 3", "waiting", ... */
  label: string;
  /** ×N for a node that ran more than once (loops), else "". */
  count: string;
}

const TONE: Record<NodeStatus, string> = {
  not_reached: "run-not-reached",
  running: "run-running",
  completed: "run-completed",
  failed: "run-failed",
  retrying: "run-retrying",
  waiting: "run-waiting",
  cancelled: "run-ended",
  timed_out: "run-ended",
};

const WORDS: Record<NodeStatus, string> = {
  not_reached: "not reached",
  running: "running",
  completed: "completed",
  failed: "failed",
  retrying: "retrying",
  waiting: "waiting",
  cancelled: "cancelled",
  timed_out: "timed out",
};

export function statusWords(status: NodeStatus): string {
  return WORDS[status] ?? status;
}

/** The badge of a node in the shown run; null when the node has no state (no run shown). */
export function nodeBadge(state: NodeRunState | undefined): NodeBadge | null {
  if (!state) return null;
  const label =
    state.status === "retrying"
      ? `attempt ${state.attempt ?? "?"}`
      : state.status === "running" && (state.attempt ?? 1) > 1
        ? `running · attempt ${state.attempt}`
        : statusWords(state.status);
  return {
    className: TONE[state.status] ?? "run-not-reached",
    label,
    count: state.count > 1 ? `×${state.count}` : "",
  };
}

/** A run's status in words, with the tone of its badge in lists. */
export function runStatusTone(status: RunStatus | null | undefined): string {
  switch (status) {
    case "RUNNING":
      return "run-running";
    case "COMPLETED":
    case "CONTINUED_AS_NEW":
      return "run-completed";
    case "FAILED":
      return "run-failed";
    default:
      return status ? "run-ended" : "run-not-reached";
  }
}

export function formatDuration(milliseconds: number | null | undefined): string {
  if (milliseconds === null || milliseconds === undefined) return "—";
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A time of day for lists ("14:03:07"); the date too when it is not today. */
export function formatTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "—";
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  const time = moment.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  return moment.toDateString() === now.toDateString() ? time : `${moment.toLocaleDateString()} ${time}`;
}

/** The first failure's words split around the node's label, so the banner names the node once:
 * the runtime's message may begin with it ("Charge (charge) failed: card declined"). */
export function failureWords(label: string, message: string): { label: string; rest: string } {
  if (label && message.startsWith(label)) return { label, rest: message.slice(label.length) };
  return { label, rest: message ? `: ${message}` : "" };
}

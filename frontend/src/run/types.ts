// Shapes of the runtime's answers: deployments, runs and the per-node states of a run.
// They mirror backend/models.py, backend/services/runs.py and backend/runtime/node_states.py.

export type NodeStatus =
  | "not_reached"
  | "running"
  | "completed"
  | "failed"
  | "retrying"
  | "waiting"
  | "cancelled"
  | "timed_out";

export interface NodeRunState {
  node_id: string;
  status: NodeStatus;
  /** Times the node ran (×N in loops; children started by spawners). */
  count: number;
  attempt: number | null;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  input: unknown;
  output: unknown;
  /** The root failure message: the activity's own words. */
  error: string | null;
  last_failure: string | null;
  /** Workflow ids of the child workflows the node started. */
  children: string[];
  compensation: string | null;
}

export type RunStatus =
  | "RUNNING"
  | "COMPLETED"
  | "FAILED"
  | "CANCELED"
  | "TERMINATED"
  | "CONTINUED_AS_NEW"
  | "TIMED_OUT";

export interface FirstFailure {
  node_id: string;
  message: string;
}

export interface RuntimeInfo {
  temporal: "embedded" | "external" | "off";
  deployments: boolean;
  address: string | null;
  namespace: string;
  web_ui_url: string | null;
  up: boolean;
}

export interface Deployment {
  id: string;
  project_id: string;
  versions: Record<string, number>;
  package: string;
  task_queue: string;
  desired: "running" | "stopped";
  status: "starting" | "running" | "restarting" | "stopped";
  pid: number | null;
  restarts: number;
  web_ui_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface RunListItem {
  workflow_id: string;
  run_id: string;
  workflow: string;
  status: RunStatus | null;
  start_time: string | null;
  close_time: string | null;
}

export interface RunStarted {
  workflow_id: string;
  run_id: string | null;
  web_url: string | null;
}

/** What every description of a run carries (`GET /runs/{id}` and the `snapshot` event). */
export interface RunSummary {
  workflow_id: string;
  run_id: string;
  status: RunStatus | null;
  deployment_id: string;
  workflow: string;
  first_failure: FirstFailure | null;
  /** Why the workflow's code cannot take its next step while Temporal keeps retrying it. */
  stuck?: string | null;
  web_url: string | null;
}

export interface RunDescription extends RunSummary {
  start_time: string | null;
  close_time: string | null;
  result: unknown;
  failure: string | null;
  nodes: Record<string, NodeRunState>;
}

export interface SnapshotEvent extends RunSummary {
  event_time: string | null;
  nodes: Record<string, NodeRunState>;
}

export interface NodesEvent {
  run_id: string;
  event_time: string | null;
  nodes: Record<string, NodeRunState>;
  first_failure: FirstFailure | null;
  stuck?: string | null;
}

export interface EndEvent {
  workflow_id: string;
  run_id: string;
  /** completed, failed, cancelled, terminated, timed_out (lower case, the tracker's word). */
  outcome: string | null;
  event_time: string | null;
  result?: unknown;
  failure?: string;
  first_failure: FirstFailure | null;
}

export type RunEvent =
  | { event: "snapshot"; data: SnapshotEvent }
  | { event: "nodes"; data: NodesEvent }
  | { event: "end"; data: EndEvent }
  | { event: "error"; data: { detail: string } };

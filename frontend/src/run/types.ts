// Shapes of the runtime's answers: deployments, runs and the per-node states of a run.
// Deployments, the runtime and a started run are generated from the API's schema (../api/gen);
// the descriptions of runs and their events, which the API answers as free-form objects,
// mirror backend/services/runs.py and backend/runtime/node_states.py.
import type * as Api from "../api/gen/types.gen";

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

/** The runtime this server has (`GET /api/runtime`). */
export type RuntimeInfo = Api.RuntimePublic;

/** A deployment: a project compiled once and served by a managed worker. */
export type Deployment = Api.DeploymentPublic;
/** What deploying: beside the others (no `replaces`), or over one, with patching or not. */
export type DeploymentCreate = Api.DeploymentCreate;
/** What taking over a deployment's running executions would do to them (a replay, no deploy). */
export type DeploymentCheck = Api.DeploymentCheckPublic;
/** A `workflow.patched` guard the new code carries for a node added or removed. */
export type Patch = Api.PatchPublic;

export interface RunListItem {
  workflow_id: string;
  run_id: string;
  workflow: string;
  status: RunStatus | null;
  start_time: string | null;
  close_time: string | null;
}

export type RunStarted = Api.RunStarted;

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

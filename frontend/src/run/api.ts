// The runtime's routes: deployments, runs, talking to a run, following it live.
import { apiHeaders, request } from "../api/client";
import { followStream } from "./sse";
import type { StandIn } from "./standIns";
import type {
  Deployment,
  DeploymentCheck,
  DeploymentCreate,
  DeploymentLog,
  RunAnswer,
  RunDescription,
  RunDone,
  RunEvent,
  RunListItem,
  RunStarted,
  RuntimeInfo,
} from "./types";

const id = encodeURIComponent;
const runPath = (workflowId: string) => `/runs/${id(workflowId)}`;
const runQuery = (runId?: string | null) => (runId ? `?run_id=${id(runId)}` : "");

export const runApi = {
  runtime: () => request<RuntimeInfo>("GET", "/runtime"),
  /** Beside the others by default; over one (`replaces`) once its executions replay on the new code. */
  deploy: (projectId: string, how: DeploymentCreate = {}) =>
    request<Deployment>("POST", `/projects/${id(projectId)}/deployments`, how),
  /** The replay a deploy over `replaces` would run first, without deploying. */
  checkDeployment: (projectId: string, how: DeploymentCreate) =>
    request<DeploymentCheck>("POST", `/projects/${id(projectId)}/deployments/check`, how),
  deployments: (projectId: string) => request<Deployment[]>("GET", `/projects/${id(projectId)}/deployments`),
  deployment: (deploymentId: string) => request<Deployment>("GET", `/deployments/${id(deploymentId)}`),
  /** Refused (409, with `running_executions`) while executions run on it alone, unless `force`. */
  stopDeployment: (deploymentId: string, force = false) =>
    request<Deployment>("POST", `/deployments/${id(deploymentId)}/stop${force ? "?force=true" : ""}`),
  startDeployment: (deploymentId: string) => request<Deployment>("POST", `/deployments/${id(deploymentId)}/start`),
  workerLog: (deploymentId: string, tail = 200) =>
    request<DeploymentLog>("GET", `/deployments/${id(deploymentId)}/log?tail=${tail}`),

  start: (deploymentId: string, workflow: string, input: Record<string, unknown>, standIns: Record<string, StandIn> = {}) =>
    request<RunStarted>("POST", `/deployments/${id(deploymentId)}/runs`, {
      workflow,
      input,
      ...(Object.keys(standIns).length ? { stand_ins: standIns } : {}),
    }),
  list: (deploymentId: string, workflow: string) =>
    request<RunListItem[]>("GET", `/deployments/${id(deploymentId)}/runs?workflow=${id(workflow)}&limit=50`),
  describe: (workflowId: string, runId?: string | null) =>
    request<RunDescription>("GET", runPath(workflowId) + runQuery(runId)),

  signal: (workflowId: string, runId: string | null, name: string, payload: Record<string, unknown> | null) =>
    request<RunDone>("POST", `${runPath(workflowId)}/signal${runQuery(runId)}`, { name, payload }),
  update: (workflowId: string, runId: string | null, name: string, payload: Record<string, unknown> | null) =>
    request<RunAnswer>("POST", `${runPath(workflowId)}/update${runQuery(runId)}`, { name, payload }),
  query: (workflowId: string, runId: string | null, name: string) =>
    request<RunAnswer>("POST", `${runPath(workflowId)}/query${runQuery(runId)}`, { name, args: [] }),
  cancel: (workflowId: string, runId: string | null) =>
    request<RunDone>("POST", `${runPath(workflowId)}/cancel${runQuery(runId)}`),
  terminate: (workflowId: string, runId: string | null, reason: string) =>
    request<RunDone>("POST", `${runPath(workflowId)}/terminate${runQuery(runId)}`, { reason }),
  rerun: (workflowId: string, runId: string | null) =>
    request<RunStarted>("POST", `${runPath(workflowId)}/rerun${runQuery(runId)}`),

  follow: (workflowId: string, runId: string | null, onEvent: (event: RunEvent) => void, signal: AbortSignal) =>
    followStream(`/api${runPath(workflowId)}/events${runQuery(runId)}`, apiHeaders(), onEvent, signal),
};

// The Deployments section in words: a project's deployments newest first, each with what it was
// compiled from, its worker, the executions running on it, which deployment it took over (or
// which took it over), and what can be done with it now.
import { ApiError } from "../api/client";
import type { Deployment, Patch, StopRefused } from "./types";

export interface DeploymentRow {
  deployment: Deployment;
  /** The id without the project's prefix (`draft-3fa9c1d2e0`); the whole id is its title. */
  shortId: string;
  /** What it was compiled from: "the drafts", "Orders version 3", ... */
  source: string;
  /** The worker: running, starting, restarting (N restarts), stopping, stopped. */
  worker: string;
  /** The worker badge's colour (a `run-…` class). */
  tone: string;
  /** "1 running execution", "no running executions", ...; null on a deployment that was
   * taken over: its executions run on the one that took it over (the same task queue). */
  running: string | null;
  /** Executions run on it but no worker serves them: they wait until one does. */
  stranded: boolean;
  /** The deployment it took over (its task queue and running executions). */
  tookOver: string | null;
  /** Its build id, when it is one of several versions of the Worker Deployment named after its
   * task queue (deployed beside each other), else null. */
  version: string | null;
  /** current: new runs start on it; draining: its worker serves the executions pinned to it
   * until they end; drained: its worker has stopped. */
  versionRole: "current" | "draining" | "drained" | null;
  versionWords: string | null;
  /** The newest deployment that took it over, and its short id. */
  takenOverBy: Deployment | null;
  takenOverName: string | null;
  canStop: boolean;
  canStart: boolean;
  /** It is the one serving its task queue: a new version may take over its executions. */
  canDeployOver: boolean;
}

export function newestFirst(deployments: readonly Deployment[]): Deployment[] {
  return [...deployments].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
}

export function shortId(deploymentId: string, projectId: string): string {
  const prefix = `${projectId}-`;
  return deploymentId.startsWith(prefix) && deploymentId.length > prefix.length
    ? deploymentId.slice(prefix.length)
    : deploymentId;
}

/** `versions` names the saved version of each workflow deployed; the others deployed their draft. */
export function sourceWords(versions: Readonly<Record<string, number>>, workflowNames: ReadonlyMap<string, string>): string {
  const named = Object.entries(versions).sort(([a], [b]) => a.localeCompare(b));
  if (!named.length) return "the drafts";
  const parts = named.map(([id, number]) => `${workflowNames.get(id) || id} version ${number}`);
  const drafts = [...workflowNames.keys()].some((id) => !(id in versions));
  return parts.join(", ") + (drafts ? ", the other workflows' drafts" : "");
}

export function workerWords(deployment: Pick<Deployment, "desired" | "status" | "restarts">): string {
  if (deployment.desired === "stopped") return deployment.status === "stopped" ? "stopped" : "stopping";
  if (deployment.status === "stopped") return "starting";
  if (deployment.status === "restarting") {
    return `restarting (${deployment.restarts} restart${deployment.restarts === 1 ? "" : "s"} so far)`;
  }
  return deployment.status;
}

export function workerTone(deployment: Pick<Deployment, "desired" | "status">): string {
  if (deployment.desired === "stopped") return "run-ended";
  return deployment.status === "running" ? "run-running" : "run-retrying";
}

/** Two versions of the Worker Deployment named after their task queue, deployed beside each
 * other: executions stay pinned to the one they started on (not a takeover). */
export function besideEachOther(one: Deployment, other: Deployment): boolean {
  return one.task_queue === other.task_queue && !!one.build_id && !!other.build_id && one.build_id !== other.build_id;
}

/** The version new runs start on: the newest whose worker runs (the runtime makes a version
 * current once its worker polls). */
function currentVersion(versions: readonly Deployment[]): Deployment | null {
  const asked = versions.filter((item) => item.desired === "running");
  return asked.find((item) => item.status === "running") ?? null;
}

export function pinnedWords(count: number | null): string {
  if (count === null) return "executions pinned to it unknown: Temporal did not answer";
  if (count === 0) return "no running executions pinned to it";
  return `${count} running execution${count === 1 ? "" : "s"} pinned to it`;
}

export function runningWords(count: number | null): string {
  if (count === null) return "running executions unknown: Temporal did not answer";
  if (count === 0) return "no running executions";
  return `${count} running execution${count === 1 ? "" : "s"}`;
}

const PATH_WORDS: Record<string, string> = {
  new: "new step: runs in executions started after the patch, skipped on replay of older ones",
  old: "removed step: kept for executions started before the patch, skipped by newer ones",
  deprecated: "an earlier patch no running execution needs any more: workflow.deprecate_patch marks it",
};

/** Where a patched node's code runs. */
export function patchPathWords(path: Patch["path"]): string {
  return PATH_WORDS[path] ?? `patch path ${path}`;
}

export function deploymentRows(
  deployments: readonly Deployment[],
  projectId: string,
  workflowNames: ReadonlyMap<string, string>,
): DeploymentRow[] {
  const sorted = newestFirst(deployments);
  return sorted.map((deployment) => {
    // newest first, so the first found is the newest that took it over
    const takenOverBy =
      sorted.find(
        (other) =>
          other.replaces === deployment.id && other.id !== deployment.id && !besideEachOther(other, deployment),
      ) ?? null;
    const versions = sorted.filter((other) => other === deployment || besideEachOther(other, deployment));
    const current = versions.length > 1 ? currentVersion(versions) : null;
    const versionRole =
      versions.length < 2
        ? null
        : deployment.desired === "stopped"
          ? "drained"
          : current === null || current.id === deployment.id
            ? "current"
            : "draining";
    // the server lets one deployment at a time serve a task queue
    const servedByOther = sorted.some(
      (other) => other.id !== deployment.id && other.task_queue === deployment.task_queue && other.desired === "running",
    );
    const running = deployment.running_executions;
    const workerStopped = deployment.desired === "stopped";
    return {
      deployment,
      shortId: shortId(deployment.id, projectId),
      source: sourceWords(deployment.versions, workflowNames),
      worker: workerWords(deployment),
      tone: workerTone(deployment),
      running: takenOverBy ? null : versionRole ? pinnedWords(running) : runningWords(running),
      stranded: !takenOverBy && workerStopped && (running ?? 0) > 0,
      version: versionRole ? deployment.build_id : null,
      versionRole,
      versionWords: versionRole
        ? versionWords(versionRole, current && current.id !== deployment.id ? shortId(current.id, projectId) : null)
        : null,
      tookOver: deployment.replaces && !versionRole ? shortId(deployment.replaces, projectId) : null,
      takenOverBy,
      takenOverName: takenOverBy ? shortId(takenOverBy.id, projectId) : null,
      canStop: deployment.desired === "running",
      canStart: workerStopped && !servedByOther,
      canDeployOver: !takenOverBy && !servedByOther && (deployment.desired === "running" || (running ?? 0) > 0),
    };
  });
}

function versionWords(role: "current" | "draining" | "drained", current: string | null): string {
  if (role === "current") return "current: new runs start on it";
  const elsewhere = current ? `; new runs start on ${current}` : "";
  if (role === "drained") return `drained: its worker stopped once no execution pinned to it ran${elsewhere}`;
  return `draining: its worker stops once the executions pinned to it end${elsewhere}`;
}

export type StopOutcome =
  | { kind: "stopped"; deployment: Deployment }
  /** Executions run on it and nothing else serves them: stopping needs `force`. */
  | { kind: "refused"; detail: string; running: number }
  | { kind: "failed"; message: string };

/** Stops a deployment's worker; a refusal because executions run on it is an answer, not a failure. */
export async function stopDeployment(
  stop: (deploymentId: string, force: boolean) => Promise<Deployment>,
  deploymentId: string,
  force: boolean,
): Promise<StopOutcome> {
  try {
    return { kind: "stopped", deployment: await stop(deploymentId, force) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      const running = (error.body as Partial<StopRefused>).running_executions;
      if (typeof running === "number") return { kind: "refused", detail: error.message, running };
    }
    return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
  }
}

// Deploying over a deployment, step by step: the new code first replays the histories of the
// executions running there (the check); a check that finds none would break lets the new version
// take them over; one that does offers the check again with patching (the compiler guards added
// and removed steps with workflow.patched), and the deploy over with patching once that replays.
// Deploying beside is always there: a new version of the same Temporal Worker Deployment, each
// execution pinned to the version it started on (a task queue of its own where the server has no
// worker versioning); the old version's worker stops once its executions have ended.
import { createStore, type StoreApi } from "zustand/vanilla";

import { ApiError } from "../api/client";
import type { Diagnostic } from "../api/types";
import type { Deployment, DeploymentCheck, DeploymentCreate, ReplayRefused } from "./types";

export type DeployHow = "beside" | "over" | "patched";
/** What the dialog waits for. */
export type Busy = "check" | "patch-check" | DeployHow;

export interface TakeoverApi {
  check(how: DeploymentCreate): Promise<DeploymentCheck>;
  deploy(how: DeploymentCreate): Promise<Deployment>;
}

export interface TakeoverState {
  /** The deployment whose executions the new version would take over. */
  replaces: string;
  busy: Busy | null;
  /** The check without patching. */
  check: DeploymentCheck | null;
  /** The check with patching, once asked for. */
  patchCheck: DeploymentCheck | null;
  /** The project cannot be deployed (or patched) as it is (422): the compiler's findings, and
   * what was asked. */
  invalid: { detail: string; diagnostics: Diagnostic[]; during: Busy } | null;
  /** Anything else that went wrong, or why a deploy was refused, in the server's words. */
  problem: string | null;
  deployed: { deployment: Deployment; how: DeployHow } | null;

  runCheck(patch: boolean): Promise<void>;
  /** The new deployment, or null when it was refused or failed (the state says why). */
  deploy(how: DeployHow): Promise<Deployment | null>;
}

export type TakeoverStore = StoreApi<TakeoverState>;

function request(replaces: string, how: DeployHow): DeploymentCreate {
  if (how === "beside") return { replaces, versioning: true };
  return { replaces, patch: how === "patched" };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function invalidOf(error: unknown, during: Busy): TakeoverState["invalid"] {
  if (error instanceof ApiError && error.status === 422) {
    return { detail: error.message, diagnostics: error.body.diagnostics ?? [], during };
  }
  return null;
}

/** The check a refused deploy answers with (409): the executions changed since the last one. */
function refusedCheck(error: unknown): DeploymentCheck | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const check = (error.body as Partial<ReplayRefused>).check;
  return check && typeof check.ok === "boolean" ? check : null;
}

export function createTakeover(api: TakeoverApi, replaces: string): TakeoverStore {
  return createStore<TakeoverState>()((set, get) => ({
    replaces,
    busy: null,
    check: null,
    patchCheck: null,
    invalid: null,
    problem: null,
    deployed: null,

    async runCheck(patch) {
      if (get().busy || get().deployed) return;
      const busy = patch ? "patch-check" : "check";
      set({ busy, invalid: null, problem: null });
      try {
        const check = await api.check({ replaces, patch });
        set(patch ? { patchCheck: check, busy: null } : { check, busy: null });
      } catch (error) {
        const invalid = invalidOf(error, busy);
        set({ busy: null, invalid, problem: invalid ? null : message(error), ...(patch ? { patchCheck: null } : {}) });
      }
    },

    async deploy(how) {
      if (get().busy || get().deployed) return null;
      set({ busy: how, invalid: null, problem: null });
      try {
        const deployment = await api.deploy(request(replaces, how));
        set({ busy: null, deployed: { deployment, how } });
        return deployment;
      } catch (error) {
        const check = refusedCheck(error);
        const invalid = invalidOf(error, how);
        set({
          busy: null,
          invalid,
          problem: invalid ? null : message(error),
          // a refusal carries a fresh check: it replaces the one that let the deploy be asked for
          ...(check ? (how === "patched" ? { patchCheck: check } : { check }) : {}),
        });
        return null;
      }
    },
  }));
}

export interface Choice {
  shown: boolean;
  enabled: boolean;
}

export interface Choices {
  beside: Choice;
  over: Choice;
  checkPatched: Choice;
  overPatched: Choice;
}

/** The dialog's buttons: deploy beside always; over only when the check found nothing that
 * breaks; with patching once the check did, and the deploy with patching once that replays. */
export function choices(state: Pick<TakeoverState, "busy" | "check" | "patchCheck" | "deployed">): Choices {
  const idle = state.busy === null && state.deployed === null;
  const refused = state.check !== null && !state.check.ok;
  return {
    beside: { shown: true, enabled: idle },
    over: { shown: true, enabled: idle && state.check?.ok === true },
    checkPatched: { shown: refused, enabled: idle },
    overPatched: { shown: state.patchCheck !== null, enabled: idle && state.patchCheck?.ok === true },
  };
}

/** The button the dialog preselects, following the check's recommended way: deploy beside
 * (versioning) for workflows that end; for one that may run for ever, take its executions over,
 * with patching where the plain check found they would break. Null until the check answers. */
export type Preselected = DeployHow | "check-patched";

export function preselected(state: Pick<TakeoverState, "check" | "patchCheck">): Preselected | null {
  const check = state.check;
  if (check === null) return null;
  if (check.recommended === "versioning") return "beside";
  if (check.ok) return "over";
  if (state.patchCheck === null) return "check-patched";
  return state.patchCheck.ok ? "patched" : "beside";
}

/** The recommended way in one sentence, with each workflow's reason. */
export function recommendationWords(check: DeploymentCheck): string {
  const way =
    check.recommended === "patching"
      ? "Recommended: deploy over it, with patching where the running executions would break"
      : "Recommended: deploy beside it (worker versioning)";
  const reasons = check.ways.map((item) => `${item.workflow_id}: ${item.way}, ${item.reason}`);
  return reasons.length ? `${way}. ${reasons.join("; ")}.` : `${way}.`;
}

/** Whether a 422 came from compiling with patches: the change cannot be patched. */
export function patching(busy: Busy): boolean {
  return busy === "patch-check" || busy === "patched";
}

/** The check's verdict in one sentence. */
export function verdict(check: DeploymentCheck, replacedName: string): string {
  const breaking = check.divergences.filter((item) => item.running).length;
  if (check.ok) {
    if (check.running === 0) return `No executions run on ${replacedName}: the new version can take over its task queue.`;
    return check.running === 1
      ? "The running execution replays on the new code: the new version can take it over."
      : `All ${check.running} running executions replay on the new code: the new version can take them over.`;
  }
  if (breaking === 0) return `The new version cannot take over ${replacedName}'s executions (see below).`;
  const which =
    check.running === 1 ? "The running execution" : `${breaking} of ${plural(check.running, "running execution")}`;
  return `${which} would break on the new code: Temporal would stop ${breaking === 1 ? "it" : "them"} with a nondeterminism error on replay.`;
}

/** What the check replayed. */
export function replayedWords(check: DeploymentCheck, replacedName: string): string {
  return `Replayed the histories of ${plural(check.running, "running execution")} and ${plural(
    check.closed,
    "recently closed execution",
  )} of ${replacedName} on the new code.`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export const BUSY_WORDS: Record<Busy, string> = {
  check: "Replaying the running executions on the new code…",
  "patch-check": "Compiling with patches and replaying the running executions…",
  beside: "Deploying beside…",
  over: "Deploying over…",
  patched: "Deploying over with patching…",
};

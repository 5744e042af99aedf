import { describe, expect, it } from "vitest";

import { ApiError } from "../api/client";
import {
  choices,
  createTakeover,
  preselected,
  recommendationWords,
  replayedWords,
  type TakeoverApi,
  verdict,
} from "./takeover";
import type { Deployment, DeploymentCheck, DeploymentCreate, Patch } from "./types";

const OLD = "shop-draft-old";

function check(changes: Partial<DeploymentCheck> = {}): DeploymentCheck {
  return {
    replaces: OLD,
    ok: true,
    running: 1,
    closed: 0,
    summary: [],
    divergences: [],
    patches: [],
    recommended: "versioning",
    ways: [],
    ...changes,
  };
}

const BREAKS = check({
  ok: false,
  summary: ['flow: 1 running execution would fail at node "a" (activity changed)'],
  divergences: [
    { workflow_id: "flow-1", run_id: "r1", workflow_type: "flow", running: true, node_id: "a", reason: "activity changed" },
  ],
});
const PATCHED = check({ patches: [{ workflow_id: "flow", node_id: "c", patch_id: "c@2", path: "new" } as Patch] });

const deployed = { id: "shop-draft-new", replaces: OLD } as Deployment;

/** An API whose answers the test gives one by one, recording what was asked. */
function scripted() {
  const asked: [string, DeploymentCreate][] = [];
  const pending: { resolve(value: unknown): void; reject(error: unknown): void }[] = [];
  const answer = <T>(what: string, how: DeploymentCreate) => {
    asked.push([what, how]);
    return new Promise<T>((resolve, reject) => pending.push({ resolve: resolve as (v: unknown) => void, reject }));
  };
  const api: TakeoverApi = {
    check: (how) => answer("check", how),
    deploy: (how) => answer("deploy", how),
  };
  const next = () => {
    const found = pending.shift();
    if (!found) throw new Error("nothing was asked");
    return found;
  };
  return { api, asked, next };
}

describe("the takeover dialog", () => {
  it("lets a check that breaks nothing deploy over", async () => {
    const { api, asked, next } = scripted();
    const store = createTakeover(api, OLD);

    const checking = store.getState().runCheck(false);
    expect(store.getState().busy).toBe("check");
    expect(choices(store.getState()).over.enabled).toBe(false);
    expect(choices(store.getState()).beside.enabled).toBe(false);
    next().resolve(check());
    await checking;

    expect(choices(store.getState())).toEqual({
      beside: { shown: true, enabled: true },
      over: { shown: true, enabled: true },
      checkPatched: { shown: false, enabled: true },
      overPatched: { shown: false, enabled: false },
    });
    const deploying = store.getState().deploy("over");
    next().resolve(deployed);
    expect(await deploying).toBe(deployed);
    expect(store.getState().deployed).toEqual({ deployment: deployed, how: "over" });
    expect(asked).toEqual([
      ["check", { replaces: OLD, patch: false }],
      ["deploy", { replaces: OLD, patch: false }],
    ]);
    expect(choices(store.getState()).beside.enabled).toBe(false);
  });

  it("goes from a refused check through the check with patching to the deploy with patching", async () => {
    const { api, asked, next } = scripted();
    const store = createTakeover(api, OLD);
    const first = store.getState().runCheck(false);
    next().resolve(BREAKS);
    await first;

    let offered = choices(store.getState());
    expect(offered.over).toEqual({ shown: true, enabled: false });
    expect(offered.checkPatched).toEqual({ shown: true, enabled: true });
    expect(offered.overPatched.shown).toBe(false);
    expect(offered.beside.enabled).toBe(true);

    const second = store.getState().runCheck(true);
    expect(store.getState().busy).toBe("patch-check");
    next().resolve(PATCHED);
    await second;
    offered = choices(store.getState());
    expect(offered.overPatched).toEqual({ shown: true, enabled: true });
    expect(offered.over.enabled).toBe(false); // the check without patches still breaks
    expect(store.getState().check).toBe(BREAKS);
    expect(store.getState().patchCheck).toBe(PATCHED);

    const deploying = store.getState().deploy("patched");
    next().resolve(deployed);
    await deploying;
    expect(asked.map(([what, how]) => [what, how.patch])).toEqual([
      ["check", false],
      ["check", true],
      ["deploy", true],
    ]);
  });

  it("shows the diagnostics when the change cannot be patched", async () => {
    const { api, next } = scripted();
    const store = createTakeover(api, OLD);
    const first = store.getState().runCheck(false);
    next().resolve(BREAKS);
    await first;
    const diagnostic = {
      code: "E219",
      message: "its settings changed, and a changed node cannot be patched yet",
      severity: "error" as const,
      workflow_id: "flow",
      node_id: "a",
      edge_id: null,
      field: null,
    };

    const second = store.getState().runCheck(true);
    next().reject(new ApiError(422, { detail: "the project has errors", diagnostics: [diagnostic] }));
    await second;

    expect(store.getState().invalid).toEqual({
      detail: "the project has errors",
      diagnostics: [diagnostic],
      during: "patch-check",
    });
    expect(store.getState().problem).toBeNull();
    expect(choices(store.getState()).overPatched).toEqual({ shown: false, enabled: false });
    expect(choices(store.getState()).beside.enabled).toBe(true);
  });

  it("takes the fresh check of a refused deploy: the executions changed since", async () => {
    const { api, next } = scripted();
    const store = createTakeover(api, OLD);
    const first = store.getState().runCheck(false);
    next().resolve(check());
    await first;

    const deploying = store.getState().deploy("over");
    next().reject(new ApiError(409, { detail: "deploying over it would break executions", check: BREAKS } as ApiError["body"]));

    expect(await deploying).toBeNull();
    expect(store.getState().problem).toBe("deploying over it would break executions");
    expect(store.getState().check).toBe(BREAKS);
    expect(choices(store.getState()).over.enabled).toBe(false);
    expect(choices(store.getState()).checkPatched.shown).toBe(true);
  });

  it("asks nothing more while it waits", async () => {
    const { api, asked, next } = scripted();
    const store = createTakeover(api, OLD);
    const first = store.getState().runCheck(false);

    await store.getState().runCheck(true);
    expect(await store.getState().deploy("beside")).toBeNull();

    expect(asked).toHaveLength(1);
    next().reject(new Error("Temporal did not answer"));
    await first;
    expect(store.getState().problem).toBe("Temporal did not answer");
    expect(choices(store.getState()).beside.enabled).toBe(true);
    expect(choices(store.getState()).over.enabled).toBe(false);
  });

  it("deploys beside as a new version pinning executions to theirs", async () => {
    const { api, asked, next } = scripted();
    const store = createTakeover(api, OLD);
    const deploying = store.getState().deploy("beside");
    next().resolve({ id: "shop-draft-beside" } as Deployment);
    await deploying;

    expect(asked).toEqual([["deploy", { replaces: OLD, versioning: true }]]);
  });
});

describe("the check in words", () => {
  it("counts what was replayed and what would break", () => {
    expect(replayedWords(check({ running: 1, closed: 3 }), "draft-old")).toBe(
      "Replayed the histories of 1 running execution and 3 recently closed executions of draft-old on the new code.",
    );
    expect(verdict(BREAKS, "draft-old")).toMatch(/^The running execution would break on the new code/);
    expect(verdict({ ...BREAKS, running: 3 }, "draft-old")).toMatch(/^1 of 3 running executions would break/);
    expect(verdict(check({ running: 1 }), "draft-old")).toMatch(/^The running execution replays on the new code/);
    expect(verdict(check({ running: 2 }), "draft-old")).toMatch(/^All 2 running executions replay/);
    expect(verdict(check({ running: 0 }), "draft-old")).toMatch(/^No executions run on draft-old/);
  });
});

describe("the recommended way", () => {
  const endless = {
    workflow_id: "monitor",
    way: "patching" as const,
    reason: "it may run for ever (it continues as new)",
    unpatchable: [],
  };

  it("preselects deploying beside for workflows that end", () => {
    expect(preselected({ check: null, patchCheck: null })).toBeNull();
    expect(preselected({ check: check(), patchCheck: null })).toBe("beside");
    expect(preselected({ check: BREAKS, patchCheck: null })).toBe("beside");
  });

  it("preselects taking over, with patching where needed, for a workflow without end", () => {
    const replays = check({ recommended: "patching", ways: [endless] });
    const breaks = { ...BREAKS, recommended: "patching" as const, ways: [endless] };
    expect(preselected({ check: replays, patchCheck: null })).toBe("over");
    expect(preselected({ check: breaks, patchCheck: null })).toBe("check-patched");
    expect(preselected({ check: breaks, patchCheck: PATCHED })).toBe("patched");
    expect(preselected({ check: breaks, patchCheck: { ...PATCHED, ok: false } })).toBe("beside");
    expect(recommendationWords(breaks)).toBe(
      "Recommended: deploy over it, with patching where the running executions would break. " +
        "monitor: patching, it may run for ever (it continues as new).",
    );
  });
});

import { describe, expect, it } from "vitest";

import { ApiError } from "../api/client";
import {
  deploymentRows,
  runningWords,
  shortId,
  sourceWords,
  stopDeployment,
  workerWords,
} from "./deployments";
import type { Deployment, Patch } from "./types";

function deployment(id: string, changes: Partial<Deployment> = {}): Deployment {
  return {
    id,
    project_id: "shop",
    versions: {},
    package: "shop",
    task_queue: id,
    desired: "running",
    status: "running",
    pid: 10,
    restarts: 0,
    temporal_address: "127.0.0.1:7233",
    namespace: "default",
    web_ui_url: null,
    created_at: "2026-01-01T10:00:00Z",
    updated_at: "2026-01-01T10:00:00Z",
    replaces: null,
    patches: [],
    build_id: null,
    running_executions: 0,
    ...changes,
  };
}

const NAMES = new Map([
  ["orders", "Orders"],
  ["refunds", "Refunds"],
]);

describe("deployment rows", () => {
  it("lists the newest first, with its id short and what it was compiled from", () => {
    const rows = deploymentRows(
      [
        deployment("shop-draft-aaaa", { created_at: "2026-01-01T10:00:00Z" }),
        deployment("shop-v3-bbbb", { created_at: "2026-01-02T10:00:00Z", versions: { orders: 3 } }),
      ],
      "shop",
      NAMES,
    );

    expect(rows.map((row) => [row.shortId, row.source])).toEqual([
      ["v3-bbbb", "Orders version 3, the other workflows' drafts"],
      ["draft-aaaa", "the drafts"],
    ]);
  });

  it("counts the executions on the deployment serving the task queue, not on the one it took over", () => {
    const old = deployment("shop-draft-old", { desired: "stopped", status: "stopped", running_executions: 1 });
    const taking = deployment("shop-draft-new", {
      created_at: "2026-01-02T10:00:00Z",
      task_queue: old.task_queue,
      replaces: old.id,
      running_executions: 1,
      patches: [{ workflow_id: "orders", node_id: "c", patch_id: "c@2", path: "new" } as Patch],
    });

    const [first, second] = deploymentRows([old, taking], "shop", NAMES);

    expect(first?.deployment.id).toBe(taking.id);
    expect(first?.running).toBe("1 running execution");
    expect(first?.tookOver).toBe("draft-old");
    expect(first?.canDeployOver).toBe(true);
    expect(second?.takenOverBy?.id).toBe(taking.id);
    expect(second?.takenOverName).toBe("draft-new");
    expect(second?.running).toBeNull();
    expect(second?.stranded).toBe(false);
    // it cannot start again, nor be deployed over, while the new one serves its executions
    expect(second?.canStart).toBe(false);
    expect(second?.canDeployOver).toBe(false);
  });

  it("shows versions beside each other on a task queue with the executions pinned to each", () => {
    const old = deployment("shop-draft-old", { build_id: "0a1b2c3d4e5f6a7b", running_executions: 2 });
    const beside = deployment("shop-draft-new", {
      created_at: "2026-01-02T10:00:00Z",
      task_queue: old.task_queue,
      replaces: old.id,
      build_id: "9f8e7d6c5b4a3f2e",
      running_executions: 1,
    });

    const [newer, older] = deploymentRows([old, beside], "shop", NAMES);

    expect(newer?.version).toBe("9f8e7d6c5b4a3f2e");
    expect(newer?.versionRole).toBe("current");
    expect(newer?.running).toBe("1 running execution pinned to it");
    expect(newer?.tookOver).toBeNull();
    expect(older?.takenOverBy).toBeNull();
    expect(older?.version).toBe("0a1b2c3d4e5f6a7b");
    expect(older?.versionRole).toBe("draining");
    expect(older?.versionWords).toContain("new runs start on draft-new");
    expect(older?.running).toBe("2 running executions pinned to it");
    expect(older?.canDeployOver).toBe(false);
    // drained: its worker stopped
    const [, drained] = deploymentRows(
      [{ ...old, desired: "stopped", status: "stopped", running_executions: 0 }, beside],
      "shop",
      NAMES,
    );
    expect(drained?.versionRole).toBe("drained");
    expect(drained?.running).toBe("no running executions pinned to it");
    expect(drained?.canStart).toBe(false);
  });

  it("says when executions wait for a deployment stopped anyway", () => {
    const [row] = deploymentRows(
      [deployment("shop-draft-a", { desired: "stopped", status: "stopped", running_executions: 2 })],
      "shop",
      NAMES,
    );

    expect(row?.stranded).toBe(true);
    expect(row?.running).toBe("2 running executions");
    expect(row?.canStart).toBe(true);
    expect(row?.canStop).toBe(false);
    expect(row?.canDeployOver).toBe(true);
  });

  it("offers no takeover of a stopped deployment with nothing running", () => {
    const [row] = deploymentRows([deployment("shop-draft-a", { desired: "stopped", status: "stopped" })], "shop", NAMES);

    expect(row?.canDeployOver).toBe(false);
    expect(row?.canStart).toBe(true);
  });
});

describe("words", () => {
  it("names the worker's state, the way it is going", () => {
    expect(workerWords({ desired: "running", status: "running", restarts: 0 })).toBe("running");
    expect(workerWords({ desired: "running", status: "stopped", restarts: 0 })).toBe("starting");
    expect(workerWords({ desired: "stopped", status: "running", restarts: 0 })).toBe("stopping");
    expect(workerWords({ desired: "running", status: "restarting", restarts: 1 })).toBe(
      "restarting (1 restart so far)",
    );
  });

  it("counts running executions, and says when Temporal did not", () => {
    expect(runningWords(1)).toBe("1 running execution");
    expect(runningWords(3)).toBe("3 running executions");
    expect(runningWords(0)).toBe("no running executions");
    expect(runningWords(null)).toContain("Temporal did not answer");
  });

  it("keeps an id that does not begin with the project's", () => {
    expect(shortId("other-draft-a", "shop")).toBe("other-draft-a");
    expect(sourceWords({ orders: 2, refunds: 1 }, NAMES)).toBe("Orders version 2, Refunds version 1");
  });
});

describe("stopping", () => {
  it("answers a refusal with the server's sentence and the running count", async () => {
    const refusal = new ApiError(409, {
      detail: "1 execution runs on shop-draft-a; stopped, it would leave them waiting",
      running_executions: 1,
    } as ApiError["body"]);
    const asked: boolean[] = [];
    const stop = async (_id: string, force: boolean) => {
      asked.push(force);
      if (!force) throw refusal;
      return deployment("shop-draft-a", { desired: "stopped" });
    };

    const refused = await stopDeployment(stop, "shop-draft-a", false);
    const forced = await stopDeployment(stop, "shop-draft-a", true);

    expect(refused).toEqual({ kind: "refused", detail: refusal.message, running: 1 });
    expect(forced.kind).toBe("stopped");
    expect(asked).toEqual([false, true]);
  });

  it("fails on any other answer", async () => {
    const outcome = await stopDeployment(
      async () => {
        throw new ApiError(404, { detail: "no deployment 'x'" });
      },
      "x",
      false,
    );

    expect(outcome).toEqual({ kind: "failed", message: "no deployment 'x'" });
  });
});

import { describe, expect, it } from "vitest";

import type { ActivityDef } from "../api/types";
import { workflowDocument } from "../editor/store";
import { editorStore, sampleWorkflow } from "../test/fixtures";
import { above, applyFix, changed } from "./fixes";

const charge: ActivityDef = {
  name: "charge",
  description: "",
  input: { amount: "int" },
  output: "None",
  implementation: { kind: "simulate", result: null, delay_seconds: 0, fail_attempts: 0, fail_when: {}, fail_when_retryable: false, fail_message: "simulated failure" },
  defaults: { start_to_close_timeout: "20m", heartbeat_timeout: null, retry: null },
};

function makeStore(withoutStart = false) {
  const workflow = sampleWorkflow();
  if (withoutStart) {
    workflow.nodes = workflow.nodes.filter((node) => node.type !== "start");
    workflow.edges = workflow.edges.filter((edge) => edge.source !== "start");
  }
  return editorStore(workflow, { revision: 3, activities: [charge] });
}

const config = (store: ReturnType<typeof makeStore>, id: string) =>
  store.getState().nodes.find((node) => node.id === id)?.data.config;

describe("quick fixes", () => {
  it("adds a Start above the topmost node, outside every container, as one undoable step", () => {
    const store = makeStore(true);
    const before = workflowDocument(store.getState());
    expect(applyFix(store, { kind: "add_node", type: "start", title: "Add a Start node" })).toBe(true);
    const added = store.getState().nodes.filter((node) => node.data.kind === "start");
    expect(added).toHaveLength(1);
    const [start] = added;
    expect(start?.parentId).toBeUndefined();
    // the phase "work" is the topmost node left (y 120): the Start sits above it
    expect((start?.position.y ?? Infinity) + 64).toBeLessThan(120);
    store.getState().undo();
    expect(workflowDocument(store.getState())).toEqual(before);
  });

  it("sets a node's setting, keeping the others, and undo restores the config", () => {
    const store = makeStore();
    const value = { maximum_attempts: 10, initial_interval: "1s" };
    applyFix(store, { kind: "set_field", node: "compose", field: "config.retry", value, title: "Give up after 10 attempts" });
    expect(config(store, "compose")).toEqual({
      activity: "compose",
      args: { name: "input.name" },
      result: "greeting",
      retry: value,
    });
    store.getState().undo();
    expect(config(store, "compose")).not.toHaveProperty("retry");
  });

  it("takes a stray setting out of a node", () => {
    const store = makeStore();
    store.getState().updateNode("loud", { config: { expression: "input.loud", colour: "red" } });
    applyFix(store, { kind: "remove_field", node: "loud", field: "config.colour", title: "Remove 'colour'" });
    expect(config(store, "loud")).toEqual({ expression: "input.loud" });
  });

  it("sets a field of the project's catalogue", () => {
    const store = makeStore();
    const field = "activities.0.defaults.heartbeat_timeout";
    applyFix(store, { kind: "set_field", node: null, field, value: "1m", title: "Set a heartbeat timeout of 1m" });
    const [activity] = store.getState().project.activities;
    expect(activity?.defaults.heartbeat_timeout).toBe("1m");
    expect(activity?.defaults.start_to_close_timeout).toBe("20m");
  });

  it("reports a fix whose node is gone", () => {
    const store = makeStore();
    expect(applyFix(store, { kind: "remove_field", node: "ghost", field: "config.x", title: "Remove 'x'" })).toBe(false);
  });

  it("copies what it changes and shares the rest", () => {
    const original = { a: { b: [1, { c: 2 }] }, d: { e: 3 } };
    const result = changed(original, ["a", "b", "1", "c"], 5) as typeof original;
    expect(result).toEqual({ a: { b: [1, { c: 5 }] }, d: { e: 3 } });
    expect(original.a.b[1]).toEqual({ c: 2 });
    expect(result.d).toBe(original.d);
    expect(above([])).toEqual({ x: 0, y: 0 });
  });
});

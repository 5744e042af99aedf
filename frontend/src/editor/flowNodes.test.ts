import { type Node, Position } from "@xyflow/react";
import { describe, expect, it } from "vitest";

import type { Workflow } from "../api/types";
import { editorStore, sampleWorkflow } from "../test/fixtures";
import { type FlowHolds, keepUnusedChanges, portsOf } from "./flowNodes";
import type { EditorStore } from "./store";

/** What React Flow holds, for a store: nothing measured unless `measured` says so. */
function holdsOf(store: EditorStore, measured: Record<string, { width: number; height: number }> = {}): FlowHolds {
  return { measured: (id) => measured[id], ports: (node) => portsOf(store.getState(), node) };
}

const handed = (store: EditorStore): readonly Node[] => store.getState().nodes;

function withSwitch(): Workflow {
  const workflow = sampleWorkflow();
  workflow.nodes.push({
    id: "route",
    type: "switch",
    label: "Route",
    position: { x: 300, y: 450 },
    size: null,
    parent_id: null,
    config: { expression: "input.kind", cases: [{ key: "a", expression: "'a'" }] },
  });
  return workflow;
}

describe("the nodes handed to React Flow", () => {
  it("stay the same array, every node the same object, while a label is typed", () => {
    const store = editorStore(sampleWorkflow());
    const holds = holdsOf(store);
    const before = handed(store);
    let shown = before;
    for (const label of ["Compose ", "Compose a", "Compose a g"]) {
      store.getState().updateNode("compose", { label }, "label");
      const next = keepUnusedChanges(shown, handed(store), holds);
      expect(next.held).toBe(true);
      expect(next.nodes).toBe(before);
      shown = next.nodes;
    }
    // the editor holds every keystroke: the node draws its label from there
    expect(store.getState().nodes.find((node) => node.id === "compose")?.data.label).toBe("Compose a g");
  });

  it("take a change React Flow draws at once, and only that node's", () => {
    const store = editorStore(sampleWorkflow());
    const holds = holdsOf(store);
    const before = handed(store);
    store.getState().updateNode("compose", { label: "Compose it" }, "label");
    const typed = keepUnusedChanges(before, handed(store), holds).nodes;
    store.getState().onNodesChange([{ type: "select", id: "loud", selected: true }]);
    const next = keepUnusedChanges(typed, handed(store), holds);
    const loud = handed(store).find((node) => node.id === "loud");
    expect(next.nodes).not.toBe(typed);
    expect(next.nodes.find((node) => node.id === "loud")).toBe(loud);
    expect(next.nodes.find((node) => node.id === "loud")?.selected).toBe(true);
    // the renamed node stays the one handed before, the others are the editor's own
    expect(next.nodes.find((node) => node.id === "compose")).toBe(before.find((node) => node.id === "compose"));
    expect(next.held).toBe(true);
    // moved, the renamed node is handed anew, label and all
    store.getState().onNodesChange([{ type: "position", id: "compose", position: { x: 48, y: 64 } }]);
    const moved = keepUnusedChanges(next.nodes, handed(store), holds);
    expect(moved.held).toBe(false);
    expect(moved.nodes).toBe(handed(store));
    expect(moved.nodes.find((node) => node.id === "compose")?.data.label).toBe("Compose it");
  });

  it("take a node whose ports a config change adds, but not one whose config keeps them", () => {
    const store = editorStore(withSwitch());
    const holds = holdsOf(store);
    const before = handed(store);
    store.getState().updateNode("loud", { config: { expression: "input.louder" } }, "config");
    const same = keepUnusedChanges(before, handed(store), holds);
    expect(same.nodes).toBe(before);
    const cases = [
      { key: "a", expression: "'a'" },
      { key: "b", expression: "'b'" },
    ];
    store.getState().updateNode("route", { config: { expression: "input.kind", cases } }, "config");
    const more = keepUnusedChanges(same.nodes, handed(store), holds);
    const route = handed(store).find((node) => node.id === "route");
    expect(more.nodes.find((node) => node.id === "route")).toBe(route);
    expect(portsOf(store.getState(), route!)).toBe("case:a\ncase:b\ndefault");
  });

  it("keep a size React Flow measured itself, and take one it does not hold", () => {
    const store = editorStore(sampleWorkflow());
    const before = handed(store);
    // a label grown to two lines: React Flow measures the node and reports the new size
    store.getState().updateNode("compose", { label: "Compose a greeting long enough to wrap" }, "label");
    store.getState().onNodesChange([{ type: "dimensions", id: "compose", dimensions: { width: 220, height: 82 } }]);
    const measured = keepUnusedChanges(before, handed(store), holdsOf(store, { compose: { width: 220, height: 82 } }));
    expect(measured.nodes).toBe(before);
    expect(measured.held).toBe(true);
    const unknown = keepUnusedChanges(before, handed(store), holdsOf(store, { compose: { width: 220, height: 64 } }));
    expect(unknown.nodes.find((node) => node.id === "compose")?.measured).toEqual({ width: 220, height: 82 });
  });

  it("keep ports that moved with a size React Flow measured, and take ports that changed", () => {
    const store = editorStore(sampleWorkflow());
    const port = (id: string, type: "source" | "target", y: number) => ({
      id,
      type,
      position: Position.Bottom,
      x: 105,
      y,
      width: 10,
      height: 10,
    });
    const old: Node = { id: "n", position: { x: 0, y: 0 }, data: { kind: "activity" }, handles: [port("out", "source", 59)] };
    const grown: Node = { ...old, measured: { width: 220, height: 82 }, handles: [port("out", "source", 77)] };
    const holds = holdsOf(store, { n: { width: 220, height: 82 } });
    expect(keepUnusedChanges([old], [grown], holds).nodes[0]).toBe(old);
    const other: Node = { ...grown, handles: [port("true", "source", 77), port("false", "source", 77)] };
    expect(keepUnusedChanges([old], [other], holds).nodes[0]).toBe(other);
    const kind: Node = { ...old, data: { kind: "condition" } };
    expect(keepUnusedChanges([old], [kind], holds).nodes[0]).toBe(kind);
  });

  it("take every node when a node is added or removed", () => {
    const store = editorStore(sampleWorkflow());
    const before = handed(store);
    store.getState().addNode("activity", { x: 900, y: 900 });
    const next = keepUnusedChanges(before, handed(store), holdsOf(store));
    expect(next).toEqual({ nodes: handed(store), held: false });
  });
});

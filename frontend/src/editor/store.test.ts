import { describe, expect, it } from "vitest";

import { catalogue, sampleWorkflow } from "../test/fixtures";
import { createEditorStore, isDirty, workflowDocument } from "./store";

function makeStore() {
  const workflow = sampleWorkflow();
  return createEditorStore({
    catalogue,
    projectId: "hello",
    workflow,
    revision: 3,
    project: { name: "Hello", description: "", task_queue: "hello", types: {}, activities: [] },
    projectRevision: 1,
    projectWorkflows: [workflow],
  });
}

const ids = (store: ReturnType<typeof makeStore>) => store.getState().nodes.map((node) => node.id);

describe("editor store: undo and redo", () => {
  it("undoes and redoes adding a node, and tracks unsaved changes", () => {
    const store = makeStore();
    const saved = workflowDocument(store.getState());
    expect(isDirty(store.getState())).toBe(false);
    const id = store.getState().addNode("activity", { x: 900, y: 900 });
    expect(ids(store)).toContain(id);
    expect(isDirty(store.getState())).toBe(true);
    store.getState().undo();
    expect(ids(store)).not.toContain(id);
    expect(workflowDocument(store.getState())).toEqual(saved);
    expect(isDirty(store.getState())).toBe(false);
    store.getState().redo();
    expect(ids(store)).toContain(id);
    expect(isDirty(store.getState())).toBe(true);
  });

  it("starts a new node with its kind's defaults, selected, and inside the container it was dropped on", () => {
    const store = makeStore();
    // the phase "work" spans x 0..400, y 120..380
    const id = store.getState().addNode("activity", { x: 200, y: 300 });
    const node = store.getState().nodes.find((n) => n.id === id)!;
    expect(node.parentId).toBe("work");
    expect(node.selected).toBe(true);
    expect(node.data.config).toEqual({ activity: "", args: {} });
    expect(node.data.label).toBe("Activity");
    const index = ids(store);
    expect(index.indexOf("work")).toBeLessThan(index.indexOf(id));
  });

  it("coalesces typing in one field into one undo step", () => {
    const store = makeStore();
    for (const text of ["i", "in", "inp", "input.loud and True"]) {
      store.getState().updateNode("loud", { config: { expression: text } }, "config.expression");
    }
    store.getState().updateNode("loud", { label: "Shout?" }, "label");
    store.getState().undo();
    const loud = () => store.getState().nodes.find((n) => n.id === "loud")!;
    expect(loud().data.label).toBe("Loud?");
    expect(loud().data.config).toEqual({ expression: "input.loud and True" });
    store.getState().undo();
    expect(loud().data.config).toEqual({ expression: "input.loud" });
    store.getState().redo();
    store.getState().redo();
    expect(loud().data.label).toBe("Shout?");
  });

  it("connects ports, refusing with a reason what the kinds do not allow", () => {
    const store = makeStore();
    const { connect } = store.getState();
    expect(connect({ source: "loud", sourceHandle: "true", target: "start", targetHandle: "in" })).toMatch(
      /starts a flow of its own/,
    );
    expect(connect({ source: "loud", sourceHandle: "true", target: "work", targetHandle: "in" })).toMatch(
      /already leads to 'Say'/,
    );
    expect(connect({ source: "loud", sourceHandle: "false", target: "compose", targetHandle: "in" })).toMatch(
      /stays inside one container/,
    );
    expect(connect({ source: "loud", sourceHandle: "false", target: "loud", targetHandle: "in" })).toMatch(
      /cannot lead to itself/,
    );
    expect(store.getState().past).toHaveLength(0);
    expect(connect({ source: "loud", sourceHandle: "false", target: "work", targetHandle: "in" })).toBeNull();
    const edge = store.getState().edges.at(-1)!;
    expect(edge).toMatchObject({ source: "loud", sourceHandle: "false", target: "work", data: { label: "false" } });
    store.getState().undo();
    expect(store.getState().edges.map((e) => e.id)).toEqual(["e1", "e2", "e3"]);
  });

  it("deletes the selection with what a container holds and the edges touching it, in one step", () => {
    const store = makeStore();
    store.getState().select(["work"]);
    store.getState().deleteSelection();
    expect(ids(store)).toEqual(["start", "loud", "say"]);
    expect(store.getState().edges.map((e) => e.id)).toEqual(["e3"]);
    store.getState().undo();
    expect(ids(store)).toEqual(["start", "work", "compose", "loud", "say"]);
    expect(store.getState().edges).toHaveLength(3);
  });

  it("records a drag as one step, and moves a node dropped on a container into it", () => {
    const store = makeStore();
    store.getState().beginGesture();
    for (let y = 450; y >= 200; y -= 50) {
      store.getState().onNodesChange([{ type: "position", id: "loud", position: { x: 60, y }, dragging: true }]);
    }
    store.getState().endGesture(["loud"]);
    const loud = store.getState().nodes.find((n) => n.id === "loud")!;
    expect(loud.parentId).toBe("work");
    expect(loud.position).toEqual({ x: 60, y: 80 });
    expect(store.getState().past).toHaveLength(1);
    store.getState().undo();
    const back = store.getState().nodes.find((n) => n.id === "loud")!;
    expect(back.parentId).toBeUndefined();
    expect(back.position).toEqual({ x: 0, y: 450 });
  });

  it("records a burst of arrow-key moves of one selection as one unsaved step", () => {
    const store = makeStore();
    for (const x of [8, 16, 24]) {
      store.getState().beginGesture();
      store.getState().onNodesChange([{ type: "position", id: "loud", position: { x, y: 450 } }]);
      store.getState().endGesture(["loud"], "arrows:loud");
    }
    expect(store.getState().nodes.find((n) => n.id === "loud")!.position).toEqual({ x: 24, y: 450 });
    expect(isDirty(store.getState())).toBe(true);
    expect(store.getState().past).toHaveLength(1);
    store.getState().undo();
    expect(store.getState().nodes.find((n) => n.id === "loud")!.position).toEqual({ x: 0, y: 450 });
    expect(isDirty(store.getState())).toBe(false);
    // after an undo, the next press starts a step of its own
    store.getState().redo();
    store.getState().beginGesture();
    store.getState().onNodesChange([{ type: "position", id: "loud", position: { x: 32, y: 450 } }]);
    store.getState().endGesture(["loud"], "arrows:loud");
    expect(store.getState().past).toHaveLength(2);
  });

  it("forgets a gesture that changed nothing", () => {
    const store = makeStore();
    store.getState().beginGesture();
    store.getState().endGesture(["loud"]);
    expect(store.getState().past).toHaveLength(0);
    expect(isDirty(store.getState())).toBe(false);
  });

  it("pastes copies with new ids, their inner edges and containers' children, undoably", () => {
    const store = makeStore();
    store.getState().select(["work", "loud"]);
    const copied = store.getState().copySelection()!;
    expect(copied.nodes.map((n) => n.id)).toEqual(["work", "compose", "loud"]);
    expect(copied.edges.map((e) => e.id)).toEqual(["e2"]);
    store.getState().paste(copied);
    const state = store.getState();
    expect(state.nodes).toHaveLength(8);
    const pasted = state.nodes.slice(5);
    expect(pasted.map((n) => n.id)).toEqual(["phase_1", "activity_1", "condition_1"]);
    expect(pasted[1]).toMatchObject({ parentId: "phase_1", position: { x: 40, y: 60 } });
    expect(pasted[0]!.position).toEqual({ x: 40, y: 160 });
    expect(state.edges.at(-1)).toMatchObject({ source: "phase_1", target: "condition_1" });
    expect(state.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["phase_1", "condition_1"]);
    store.getState().undo();
    expect(store.getState().nodes).toHaveLength(5);
    // pasting the same nodes again lands further on each time
    store.getState().paste(copied);
    store.getState().paste(copied);
    const phases = store.getState().nodes.filter((n) => n.data.kind === "phase");
    expect(phases.map((n) => n.position)).toEqual([
      { x: 0, y: 120 },
      { x: 80, y: 200 },
      { x: 120, y: 240 },
    ]);
  });

  it("copies a child alone out of its container, at its place on the canvas", () => {
    const store = makeStore();
    store.getState().select(["compose"]);
    const copied = store.getState().copySelection()!;
    expect(copied.nodes[0]).toMatchObject({ id: "compose", parent_id: null, position: { x: 40, y: 180 } });
  });

  it("undoes changes to the workflow's and the project's settings", () => {
    const store = makeStore();
    const meta = store.getState().meta;
    store.getState().setMeta({ ...meta, input: { name: "str", loud: "bool" } });
    const project = store.getState().project;
    store.getState().setProject({ ...project, types: { Greeting: { description: "", fields: { text: "str" } } } });
    expect(isDirty(store.getState())).toBe(true);
    store.getState().undo();
    expect(store.getState().project).toBe(project);
    store.getState().undo();
    expect(store.getState().meta).toBe(meta);
    expect(isDirty(store.getState())).toBe(false);
  });

  it("clears redo after a new edit, and marks the saved state", () => {
    const store = makeStore();
    store.getState().addNode("end", { x: 800, y: 0 });
    store.getState().undo();
    store.getState().addNode("activity", { x: 800, y: 0 });
    expect(store.getState().future).toHaveLength(0);
    const state = store.getState();
    store.getState().markSaved({ revision: 4, tag: state.tag, document: workflowDocument(state) });
    expect(isDirty(store.getState())).toBe(false);
    expect(store.getState().revision).toBe(4);
    store.getState().undo();
    expect(isDirty(store.getState())).toBe(true);
  });

  it("indexes diagnostics by node and by edge", () => {
    const store = makeStore();
    store.getState().setDiagnostics([
      { code: "E200", message: "bad", severity: "error", workflow_id: "greet", node_id: "loud", edge_id: null, field: "config.expression" },
      { code: "E114", message: "crosses", severity: "error", workflow_id: "greet", node_id: "loud", edge_id: "e3", field: null },
    ]);
    expect(store.getState().problemsByNode.loud).toHaveLength(1);
    expect(store.getState().problemsByEdge.e3).toHaveLength(1);
  });
});

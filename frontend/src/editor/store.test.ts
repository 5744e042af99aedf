import { describe, expect, it } from "vitest";

import { absolutePosition, type FlowNode, nodeSize } from "../document/mapping";
import { editorStore, sampleWorkflow } from "../test/fixtures";
import { type Box, overlaps } from "./geometry";
import { isDirty, workflowDocument } from "./store";

function makeStore() {
  return editorStore(sampleWorkflow(), { revision: 3 });
}

const ids = (store: ReturnType<typeof makeStore>) => store.getState().nodes.map((node) => node.id);

const find = (store: ReturnType<typeof makeStore>, id: string) => store.getState().nodes.find((n) => n.id === id)!;

/** Each node's box on the canvas. */
function boxes(store: ReturnType<typeof makeStore>): Map<string, Box> {
  const nodes = new Map(store.getState().nodes.map((node) => [node.id, node]));
  const box = (node: FlowNode): Box => ({ ...absolutePosition(node, nodes), ...nodeSize(node) });
  return new Map([...nodes.values()].map((node) => [node.id, box(node)]));
}

/** The pairs of nodes whose boxes overlap, leaving out a container and what it holds. */
function overlapping(store: ReturnType<typeof makeStore>): string[] {
  const nodes = store.getState().nodes;
  const within = (inner: FlowNode, outer: FlowNode): boolean => {
    for (let id = inner.parentId; id; id = nodes.find((n) => n.id === id)?.parentId) {
      if (id === outer.id) return true;
    }
    return false;
  };
  const all = boxes(store);
  const found: string[] = [];
  nodes.forEach((a, i) =>
    nodes.forEach((b, j) => {
      if (i >= j || within(a, b) || within(b, a)) return;
      if (overlaps(all.get(a.id)!, all.get(b.id)!)) found.push(`${a.id}/${b.id}`);
    }),
  );
  return found;
}

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

  it("adds a node connected from a port, below it, in its source's container, as one step", () => {
    const store = makeStore();
    const { addNodeFromPort } = store.getState();
    expect(addNodeFromPort("loud", "true", "timer")).toEqual({ refusal: expect.stringMatching(/already leads to 'Say'/) });
    expect(store.getState().past).toHaveLength(0);

    const answer = addNodeFromPort("loud", "false", "timer");
    expect(answer).toEqual({ added: "timer_1" });
    const added = find(store, "timer_1");
    expect(added.selected).toBe(true);
    expect(store.getState().nodes.filter((node) => node.selected)).toHaveLength(1);
    expect(store.getState().edges.at(-1)).toMatchObject({ source: "loud", sourceHandle: "false", target: "timer_1", data: { label: "false" } });
    const all = boxes(store);
    expect(all.get("timer_1")!.y).toBeGreaterThan(all.get("loud")!.y + all.get("loud")!.height);
    expect(overlapping(store)).toEqual([]);

    expect(addNodeFromPort("compose", "out", "activity")).toEqual({ added: "activity_1" });
    expect(find(store, "activity_1").parentId).toBe("work");
    expect(overlapping(store)).toEqual([]);

    store.getState().undo();
    store.getState().undo();
    expect(ids(store)).not.toContain("timer_1");
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
    store.getState().endGesture(["loud"], { dropped: true });
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
      store.getState().endGesture(["loud"], { coalesce: "arrows:loud" });
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
    store.getState().endGesture(["loud"], { coalesce: "arrows:loud" });
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
    // the copies keep their places among themselves, clear of the originals
    const [phase, , condition] = pasted;
    expect(phase!.parentId).toBeUndefined();
    expect(condition!.position.x - phase!.position.x).toBe(0);
    expect(condition!.position.y - phase!.position.y).toBe(330);
    expect(overlapping(store)).toEqual([]);
    expect(state.edges.at(-1)).toMatchObject({ source: "phase_1", target: "condition_1" });
    expect(state.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["phase_1", "condition_1"]);
    store.getState().undo();
    expect(store.getState().nodes).toHaveLength(5);
    // pasting the same nodes again lands somewhere free each time
    store.getState().paste(copied);
    store.getState().paste(copied);
    expect(store.getState().nodes.filter((n) => n.data.kind === "phase")).toHaveLength(3);
    expect(overlapping(store)).toEqual([]);
  });

  it("pastes a copied container beside it, and into a container selected on its own", () => {
    const store = makeStore();
    store.getState().select(["work"]);
    const container = store.getState().copySelection()!;
    store.getState().paste(container);
    store.getState().paste(container);
    expect(find(store, "phase_1").parentId).toBeUndefined();
    expect(find(store, "phase_2").parentId).toBeUndefined();
    store.getState().select(["say"]);
    const step = store.getState().copySelection()!;
    store.getState().paste(step);
    expect(find(store, "end_1").parentId).toBeUndefined();
    store.getState().select(["work"]);
    store.getState().paste(step);
    const inside = find(store, "end_2");
    expect(inside.parentId).toBe("work");
    // below what the container held, which grew to hold it
    expect(inside.position.y).toBeGreaterThanOrEqual(60 + 64);
    expect(find(store, "work").height).toBeGreaterThanOrEqual(inside.position.y + 64);
    expect(overlapping(store)).toEqual([]);
  });

  it("adds a node dropped beside a container, onto a taken place, at the nearest free place outside", () => {
    const store = makeStore();
    // the point is left of the phase "work" (x 0..400, y 120..380): the node would overlap it
    const id = store.getState().addNode("activity", { x: -20, y: 200 });
    expect(find(store, id).parentId).toBeUndefined();
    const again = store.getState().addNode("activity", { x: -20, y: 200 });
    expect(find(store, again).parentId).toBeUndefined();
    expect(overlapping(store)).toEqual([]);
  });

  it("adds a clicked kind below the selected node, into the selected container, or mid-view", () => {
    const store = makeStore();
    store.getState().select(["say"]);
    const below = store.getState().addNodeInView("activity", { x: -500, y: -500, width: 100, height: 100 });
    expect(find(store, below)).toMatchObject({ position: { x: 0, y: 600 + 64 + 56 }, selected: true });
    expect(store.getState().nodes.filter((n) => n.selected)).toHaveLength(1);
    store.getState().select(["work"]);
    const inside = store.getState().addNodeInView("activity", { x: -500, y: -500, width: 100, height: 100 });
    expect(find(store, inside).parentId).toBe("work");
    store.getState().select(["compose"]);
    const sibling = store.getState().addNodeInView("activity", { x: -500, y: -500, width: 100, height: 100 });
    expect(find(store, sibling).parentId).toBe("work");
    // with nothing selected, the middle of the view; here on the phase, so beside it instead
    store.getState().select([]);
    const middle = store.getState().addNodeInView("end", { x: 0, y: 100, width: 400, height: 300 });
    expect(find(store, middle).parentId).toBeUndefined();
    expect(overlapping(store)).toEqual([]);
    store.getState().undo();
    expect(ids(store)).not.toContain(middle);
  });

  it("pushes aside the siblings a growing container comes to overlap, in the same undo step", () => {
    const store = makeStore();
    // "loud" first moves up to stand 20 below the phase "work" (y 120..380), "say" 36 below it
    store.getState().beginGesture();
    store.getState().onNodesChange([{ type: "position", id: "loud", position: { x: 0, y: 400 } }]);
    store.getState().onNodesChange([{ type: "position", id: "say", position: { x: 0, y: 500 } }]);
    store.getState().endGesture(["loud", "say"], { dropped: true });
    expect(overlapping(store)).toEqual([]);
    // a node dropped at the phase's bottom edge makes it grow over "loud", which pushes "say"
    const added = store.getState().addNode("activity", { x: 200, y: 370 });
    expect(find(store, added).parentId).toBe("work");
    const work = find(store, "work");
    const bottom = work.position.y + work.height!;
    expect(bottom).toBeGreaterThan(400);
    expect(find(store, "loud").position).toEqual({ x: 0, y: bottom + 24 });
    expect(find(store, "say").position).toEqual({ x: 0, y: bottom + 24 + 64 + 24 });
    expect(overlapping(store)).toEqual([]);
    store.getState().undo();
    expect(ids(store)).not.toContain(added);
    expect(find(store, "loud").position).toEqual({ x: 0, y: 400 });
    expect(find(store, "say").position).toEqual({ x: 0, y: 500 });
    expect(find(store, "work").height).toBe(260);
  });

  it("lets arrow keys take a node out of its container, never into one", () => {
    const store = makeStore();
    store.getState().beginGesture();
    store.getState().onNodesChange([{ type: "position", id: "loud", position: { x: 60, y: 200 } }]);
    store.getState().endGesture(["loud"], { coalesce: "arrows:loud" });
    expect(find(store, "loud").parentId).toBeUndefined();
    store.getState().beginGesture();
    store.getState().onNodesChange([{ type: "position", id: "compose", position: { x: 40, y: -100 } }]);
    store.getState().endGesture(["compose"], { coalesce: "arrows:compose" });
    expect(find(store, "compose").parentId).toBeUndefined();
    expect(find(store, "compose").position).toEqual({ x: 40, y: 20 });
  });

  it("shows the container a dragged node would join, and forgets it when let go", () => {
    const store = makeStore();
    store.getState().beginGesture();
    store.getState().onNodesChange([{ type: "position", id: "loud", position: { x: 60, y: 200 }, dragging: true }]);
    store.getState().previewDrop(["loud"]);
    expect(store.getState().dropTargets).toEqual(["work"]);
    store.getState().onNodesChange([{ type: "position", id: "loud", position: { x: 600, y: 200 }, dragging: true }]);
    store.getState().previewDrop(["loud"]);
    expect(store.getState().dropTargets).toEqual([]);
    store.getState().previewDropAt({ x: 200, y: 300 });
    expect(store.getState().dropTargets).toEqual(["work"]);
    store.getState().endGesture(["loud"], { dropped: true });
    expect(store.getState().dropTargets).toEqual([]);
    expect(find(store, "loud").parentId).toBeUndefined();
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

describe("a keystroke in a node's field", () => {
  it("changes the store once, that node alone, and leaves the edges the same array", () => {
    const store = makeStore();
    const before = store.getState();
    let changes = 0;
    const stop = store.subscribe(() => (changes += 1));
    store.getState().updateNode("compose", { config: { ...find(store, "compose").data.config, result: "t" } }, "result");
    store.getState().updateNode("compose", { config: { ...find(store, "compose").data.config, result: "te" } }, "result");
    stop();
    const after = store.getState();
    expect(changes).toBe(2);
    expect(after.edges).toBe(before.edges);
    expect(after.meta).toBe(before.meta);
    expect(after.collapsed).toBe(before.collapsed);
    const changed = after.nodes.filter((node, index) => node !== before.nodes[index]).map((node) => node.id);
    expect(changed).toEqual(["compose"]);
    // the two keystrokes are one undo step, and undo brings back the node as it was
    expect(isDirty(after)).toBe(true);
    store.getState().undo();
    expect(find(store, "compose")).toBe(before.nodes.find((node) => node.id === "compose"));
    expect(isDirty(store.getState())).toBe(false);
  });

  it("in the workflow's settings changes the store once and leaves the graph as it was", () => {
    const store = makeStore();
    const before = store.getState();
    let changes = 0;
    const stop = store.subscribe(() => (changes += 1));
    store.getState().setMeta({ ...before.meta, description: "S" }, "description");
    stop();
    expect(changes).toBe(1);
    expect(store.getState().nodes).toBe(before.nodes);
    expect(store.getState().edges).toBe(before.edges);
    expect(store.getState().past).toHaveLength(1);
  });
});

describe("editor store: undo and the container focused on", () => {
  it("focuses again on a focused container whose delete is undone, and leaves it on redo", () => {
    const store = makeStore();
    store.getState().openContainer("work");
    store.getState().select(["work"]);
    store.getState().deleteSelection();
    expect(ids(store)).not.toContain("work");
    expect(store.getState().opened).toBeNull();

    store.getState().undo();
    expect(ids(store)).toEqual(expect.arrayContaining(["work", "compose"]));
    expect(store.getState().opened).toBe("work");

    store.getState().redo();
    expect(ids(store)).not.toContain("work");
    expect(store.getState().opened).toBeNull();
  });

  it("keeps the view an undo finds, unless it shows a container the undo takes away", () => {
    const store = makeStore();
    // an edit made while focused on a container, undone after leaving it: the view stays
    store.getState().openContainer("work");
    store.getState().updateNode("compose", { label: "Compose it" });
    store.getState().openContainer(null);
    store.getState().undo();
    expect(find(store, "compose").data.label).toBe("Compose");
    expect(store.getState().opened).toBeNull();

    // a container added, then focused on, then its adding undone: the whole workflow is shown
    const added = store.getState().addNode("phase", { x: 900, y: 900 });
    store.getState().openContainer(added);
    expect(store.getState().opened).toBe(added);
    store.getState().undo();
    expect(ids(store)).not.toContain(added);
    expect(store.getState().opened).toBeNull();
  });
});

import { describe, expect, it } from "vitest";

import type { DocEdge, DocNode, Workflow } from "../api/types";
import { documentToFlow } from "../document/mapping";
import { catalogue, editorStore, sampleWorkflow } from "../test/fixtures";
import { openedView } from "./opened";
import { containerSignatures, repeatsOf } from "./repeats";
import { isDirty, workflowDocument } from "./store";

const step = (id: string, parent: string, activity: string, y = 60, label = id): DocNode => ({
  id,
  type: "activity",
  label,
  position: { x: 24, y },
  size: null,
  parent_id: parent,
  config: { activity, args: {} },
});

const phase = (id: string, x: number, label = id): DocNode => ({
  id,
  type: "phase",
  label,
  position: { x, y: 0 },
  size: { width: 300, height: 300 },
  parent_id: null,
  config: {},
});

const edge = (id: string, source: string, target: string, handle = "out"): DocEdge => ({
  id,
  source,
  source_handle: handle,
  target,
  target_handle: "in",
});

/** Three phases: `a` and `b` build then test (labelled and placed differently), `c` tests then
 * builds. */
function phases(): Workflow {
  const workflow = sampleWorkflow();
  workflow.nodes = [
    phase("a", 0, "Build one"),
    step("a1", "a", "build"),
    step("a2", "a", "test", 160),
    phase("b", 400, "Build two"),
    step("b_x", "b", "build", 90, "Compile"),
    step("b_y", "b", "test", 200, "Check"),
    phase("c", 800, "Build three"),
    step("c1", "c", "test"),
    step("c2", "c", "build", 160),
  ];
  workflow.edges = [edge("ea", "a1", "a2"), edge("eb", "b_x", "b_y"), edge("ec", "c1", "c2")];
  return workflow;
}

function signatures(workflow: Workflow) {
  const { nodes, edges } = documentToFlow(workflow, catalogue);
  return containerSignatures(nodes, edges);
}

describe("repeated sub-flows", () => {
  it("give containers of the same shape one signature, whatever their labels, places and ids", () => {
    const found = signatures(phases());
    expect(found.get("a")).toBeDefined();
    expect(found.get("a")).toBe(found.get("b"));
    // the same steps joined the other way round are another shape
    expect(found.get("c")).not.toBe(found.get("a"));
  });

  it("tell apart another activity, an extra edge, an extra step and another nesting", () => {
    const base = signatures(phases()).get("a");

    const renamed = phases();
    renamed.nodes[1]!.config = { activity: "build_all", args: {} };
    expect(signatures(renamed).get("a")).not.toBe(base);

    const extraEdge = phases();
    extraEdge.nodes.push({ ...step("a3", "a", "build", 260), type: "end", config: {} });
    const withEnd = signatures(extraEdge).get("a");
    extraEdge.edges.push(edge("ea3", "a2", "a3"));
    expect(signatures(extraEdge).get("a")).not.toBe(withEnd);
    expect(withEnd).not.toBe(base);

    const otherPort = phases();
    otherPort.edges[0] = edge("ea", "a1", "a2", "error");
    expect(signatures(otherPort).get("a")).not.toBe(base);

    // the same signature in another call: it can be compared across documents
    expect(signatures(phases()).get("b")).toBe(base);
  });

  it("leave empty containers and lone shapes unmarked, and name the others of a repeat", () => {
    const workflow = phases();
    workflow.nodes.push(phase("empty1", 1200), phase("empty2", 1600));
    const { nodes, edges } = documentToFlow(workflow, catalogue);
    const repeats = repeatsOf(nodes, edges);
    expect([...repeats.keys()].sort()).toEqual(["a", "b"]);
    expect(repeats.get("a")!.others).toEqual([{ id: "b", label: "Build two" }]);
  });

  it("see nested containers of the same shape", () => {
    const workflow = phases();
    workflow.nodes.push({ ...phase("inner_a", 0), parent_id: "a", position: { x: 24, y: 240 } }, step("ia", "inner_a", "deploy"));
    workflow.nodes.push({ ...phase("inner_b", 0), parent_id: "b", position: { x: 24, y: 240 } }, step("ib", "inner_b", "deploy"));
    const found = signatures(workflow);
    expect(found.get("inner_a")).toBe(found.get("inner_b"));
    expect(found.get("a")).toBe(found.get("b"));
    // the same steps beside the phase rather than in it are another shape
    const beside = structuredClone(workflow);
    beside.nodes.find((node) => node.id === "ib")!.parent_id = "b";
    expect(signatures(beside).get("b")).not.toBe(found.get("a"));
  });
});

describe("focusing on a container", () => {
  const openStore = (workflow: Workflow) => editorStore(workflow);

  it("hides what lies outside it, is no edit, and keeps edits, selection and drops inside it", () => {
    const workflow = phases();
    const store = openStore(workflow);
    store.getState().select(["a1", "b_x"]);
    store.getState().openContainer("b");
    const state = store.getState();
    expect(state.opened).toBe("b");
    expect(isDirty(state)).toBe(false);
    expect(workflowDocument(state)).toEqual(workflowDocument(openStore(phases()).getState()));
    // what is hidden is no longer selected, and select-all takes only what is shown
    expect(state.nodes.filter((node) => node.selected).map((node) => node.id)).toEqual(["b_x"]);
    state.selectAll();
    expect(store.getState().nodes.filter((node) => node.selected).map((node) => node.id).sort()).toEqual(["b_x", "b_y"]);

    const view = openedView(store.getState().nodes, store.getState().edges, "b");
    const hidden = view.nodes.filter((node) => node.hidden).map((node) => node.id);
    expect(hidden.sort()).toEqual(["a", "a1", "a2", "c", "c1", "c2"]);
    expect(view.edges.filter((e) => !e.hidden).map((e) => e.id)).toEqual(["eb"]);
    expect(view.nodes.find((node) => node.id === "b")!.draggable).toBe(false);

    // a drop far outside the container still lands in it
    store.getState().addNode("activity", { x: 2000, y: 2000 });
    const added = store.getState().nodes.find((node) => node.selected)!;
    expect(added.parentId).toBe("b");
    expect(isDirty(store.getState())).toBe(true);
    store.getState().undo();
    expect(store.getState().opened).toBe("b");

    // finding a node outside goes back to the whole workflow
    store.getState().focusNode("c1");
    expect(store.getState().opened).toBe(null);
  });
});

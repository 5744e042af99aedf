import { describe, expect, it } from "vitest";

import type { Workflow } from "../api/types";
import { documentToFlow } from "../document/mapping";
import { catalogue, editorStore, sampleWorkflow } from "../test/fixtures";
import { COLLAPSED_SIZE, collapsedView } from "./collapse";
import { openingViewport, READABLE_ZOOM } from "./layout";
import { isDirty, workflowDocument } from "./store";

/** The sample workflow with a second step in its phase and an edge out of the phase's inside. */
function workflowWithInside() {
  const workflow = sampleWorkflow();
  workflow.nodes.push({
    id: "more",
    type: "activity",
    label: "More",
    position: { x: 40, y: 160 },
    size: null,
    parent_id: "work",
    config: {},
  });
  workflow.edges.push(
    { id: "inner", source: "compose", source_handle: "out", target: "more", target_handle: "in" },
    { id: "across", source: "more", source_handle: "out", target: "say", target_handle: "in" },
  );
  return workflow;
}

function openStore(workflow: Workflow = workflowWithInside()) {
  return editorStore(workflow);
}

describe("collapsed containers", () => {
  it("hide what they hold, draw at one step's size and take the edges that reach inside", () => {
    const { nodes, edges } = documentToFlow(workflowWithInside(), catalogue);
    const view = collapsedView(nodes, edges, new Set(["work"]));
    const shown = new Map(view.nodes.map((node) => [node.id, node]));
    expect(shown.get("compose")!.hidden).toBe(true);
    expect(shown.get("more")!.hidden).toBe(true);
    expect(shown.get("loud")!.hidden).toBeFalsy();
    expect({ width: shown.get("work")!.width, height: shown.get("work")!.height }).toEqual(COLLAPSED_SIZE);
    const drawn = new Map(view.edges.map((edge) => [edge.id, edge]));
    expect(drawn.get("inner")!.hidden).toBe(true);
    expect(drawn.get("across")).toMatchObject({ source: "work", target: "say" });
    expect(drawn.get("e1")).toBe(edges.find((edge) => edge.id === "e1"));
    // the same graph drawn again gives the same objects, so nothing is redrawn
    const again = collapsedView(nodes, edges, new Set(["work"]));
    expect(again.nodes.every((node, index) => node === view.nodes[index])).toBe(true);
    expect(again.edges.every((edge, index) => edge === view.edges[index])).toBe(true);
  });

  it("are saved with the document as an undoable edit, deselect what they hide and open for a node found inside", () => {
    const store = openStore();
    store.getState().select(["compose"]);
    store.getState().setCollapsed(["work", "loud"], true);
    expect([...store.getState().collapsed]).toEqual(["work"]);
    expect(store.getState().nodes.find((node) => node.id === "compose")!.selected).toBe(false);
    // collapsing is an edit: the document changes, it is to be saved, and undo takes it back
    expect(isDirty(store.getState())).toBe(true);
    const saved = workflowDocument(store.getState());
    expect(saved.ui).toEqual({ collapsed: ["work"] });
    store.getState().undo();
    expect(store.getState().collapsed.size).toBe(0);
    expect(workflowDocument(store.getState()).ui).toBeUndefined();
    expect(isDirty(store.getState())).toBe(false);
    store.getState().redo();
    expect([...store.getState().collapsed]).toEqual(["work"]);

    // opened again from what was saved, it is collapsed; nothing else of the document moved
    const reopened = openStore(saved);
    expect([...reopened.getState().collapsed]).toEqual(["work"]);
    expect(reopened.getState().meta).toEqual(openStore().getState().meta);
    expect(workflowDocument(reopened.getState())).toEqual(saved);
    reopened.getState().focusNode("more");
    expect(reopened.getState().collapsed.size).toBe(0);
    expect(workflowDocument(reopened.getState())).not.toHaveProperty("ui");
    expect(openStore().getState().collapsed.size).toBe(0);
  });

  it("leave the document when the container is deleted, and come back with it on undo", () => {
    const store = openStore();
    store.getState().setCollapsed(["work"], true);
    store.getState().select(["work"]);
    store.getState().deleteSelection();
    expect(workflowDocument(store.getState()).ui).toBeUndefined();
    store.getState().undo();
    expect(workflowDocument(store.getState()).ui).toEqual({ collapsed: ["work"] });
  });

  it("come in with a document saved elsewhere", () => {
    const store = openStore();
    const theirs = { ...workflowWithInside(), ui: { collapsed: ["work"] } };
    store.getState().replaceWorkflow(theirs, 2, true);
    expect([...store.getState().collapsed]).toEqual(["work"]);
    expect(isDirty(store.getState())).toBe(false);
    expect(workflowDocument(store.getState())).toEqual(theirs);
  });
});

describe("opening view", () => {
  const view = { width: 1000, height: 800 };

  it("shows a small graph whole", () => {
    const { nodes, edges } = documentToFlow(sampleWorkflow(), catalogue);
    const viewport = openingViewport(nodes, edges, view)!;
    expect(viewport.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect(viewport.zoom).toBeLessThanOrEqual(1);
    // the last node is in view
    const say = nodes.find((node) => node.id === "say")!;
    expect(say.position.y * viewport.zoom + viewport.y).toBeLessThan(view.height);
  });

  it("opens a long graph on its Start at a readable zoom", () => {
    const workflow = sampleWorkflow();
    workflow.nodes = [workflow.nodes[0]!];
    workflow.edges = [];
    for (let step = 1; step <= 60; step += 1) {
      workflow.nodes.push({
        id: `s${step}`,
        type: "activity",
        label: `Step ${step}`,
        position: { x: 0, y: step * 120 },
        size: null,
        parent_id: null,
        config: {},
      });
      workflow.edges.push({
        id: `e${step}`,
        source: step === 1 ? "start" : `s${step - 1}`,
        source_handle: "out",
        target: `s${step}`,
        target_handle: "in",
      });
    }
    const { nodes, edges } = documentToFlow(workflow, catalogue);
    const viewport = openingViewport(nodes, edges, view)!;
    expect(viewport.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    const top = viewport.y;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(view.height / 2);
    expect(viewport.x).toBeGreaterThanOrEqual(0);
  });

  it("reads a container's inside before what follows it", () => {
    const workflow = sampleWorkflow();
    const start = workflow.nodes[0]!;
    workflow.nodes = [
      start,
      {
        id: "work",
        type: "phase",
        label: "Work",
        position: { x: 0, y: 120 },
        size: { width: 400, height: 940 },
        parent_id: null,
        config: {},
      },
      { id: "after", type: "end", label: "After", position: { x: 0, y: 1100 }, size: null, parent_id: null, config: {} },
    ];
    workflow.edges = [
      { id: "in", source: "start", source_handle: "out", target: "work", target_handle: "in" },
      { id: "out", source: "work", source_handle: "out", target: "after", target_handle: "in" },
    ];
    for (let step = 0; step < 8; step += 1) {
      workflow.nodes.push({
        id: `w${step}`,
        type: "activity",
        label: `Work ${step}`,
        position: { x: 40, y: 60 + step * 110 },
        size: null,
        parent_id: "work",
        config: {},
      });
      if (step) {
        workflow.edges.push({ id: `w${step}`, source: `w${step - 1}`, source_handle: "out", target: `w${step}`, target_handle: "in" });
      }
    }
    const { nodes, edges } = documentToFlow(workflow, catalogue);
    const viewport = openingViewport(nodes, edges, view)!;
    expect(viewport.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect(viewport.zoom).toBeLessThan(1);
    // the phase's last step is in view, and the view is closer than one of the whole graph
    const lastStep = 120 + 60 + 7 * 110 + 64;
    expect(lastStep * viewport.zoom + viewport.y).toBeLessThanOrEqual(view.height);
    expect(viewport.zoom).toBeGreaterThan(view.height / 1.2 / (1100 + 64) + 0.05);
  });

  it("opens on the first steps of a container too wide to be read whole", () => {
    const workflow = sampleWorkflow();
    workflow.nodes = [
      workflow.nodes[0]!,
      { id: "wide", type: "phase", label: "Wide", position: { x: 0, y: 120 }, size: { width: 2648, height: 300 }, parent_id: null, config: {} },
    ];
    workflow.edges = [{ id: "in", source: "start", source_handle: "out", target: "wide", target_handle: "in" }];
    for (let step = 0; step < 10; step += 1) {
      workflow.nodes.push({
        id: `w${step}`,
        type: "activity",
        label: `Wide ${step}`,
        position: { x: 24 + step * 260, y: 56 },
        size: null,
        parent_id: "wide",
        config: {},
      });
      if (step) {
        workflow.edges.push({ id: `w${step}`, source: `w${step - 1}`, source_handle: "out", target: `w${step}`, target_handle: "in" });
      }
    }
    const { nodes, edges } = documentToFlow(workflow, catalogue);
    const viewport = openingViewport(nodes, edges, view)!;
    expect(viewport.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    // Start and the first four steps inside are in view
    for (const x of [0, 24 + 3 * 260 + 220]) {
      expect(x * viewport.zoom + viewport.x).toBeGreaterThanOrEqual(0);
      expect(x * viewport.zoom + viewport.x).toBeLessThanOrEqual(view.width);
    }
  });
});


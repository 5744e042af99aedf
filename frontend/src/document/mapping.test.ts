import { describe, expect, it } from "vitest";

import { catalogue, sampleWorkflow } from "../test/fixtures";
import { outputHandles } from "./catalogue";
import { absolutePosition, documentToFlow, flowToDocument, parentsFirst } from "./mapping";

describe("document <-> React Flow", () => {
  it("round-trips a saved document unchanged", () => {
    const workflow = sampleWorkflow();
    const flow = documentToFlow(workflow, catalogue);
    expect(flowToDocument(flow.nodes, flow.edges, flow.meta)).toEqual(workflow);
  });

  it("maps containers to parent nodes with their size and children relative to them", () => {
    const { nodes } = documentToFlow(sampleWorkflow(), catalogue);
    const work = nodes.find((node) => node.id === "work");
    const compose = nodes.find((node) => node.id === "compose");
    expect(work).toMatchObject({ type: "container", width: 400, height: 260 });
    expect(compose).toMatchObject({ type: "step", parentId: "work", position: { x: 40, y: 60 } });
    const byId = new Map(nodes.map((node) => [node.id, node]));
    expect(absolutePosition(compose!, byId)).toEqual({ x: 40, y: 180 });
  });

  it("labels edges with their port, except a kind's only way out", () => {
    const { edges } = documentToFlow(sampleWorkflow(), catalogue);
    expect(edges.map((edge) => [edge.id, edge.data?.label])).toEqual([
      ["e1", ""],
      ["e2", ""],
      ["e3", "true"],
    ]);
    expect(edges[2]).toMatchObject({ sourceHandle: "true", targetHandle: "in", type: "port" });
  });

  it("puts a container before its children and keeps every other node in place", () => {
    const workflow = sampleWorkflow();
    const [start, work, compose, loud, say] = workflow.nodes;
    workflow.nodes = [compose!, start!, loud!, work!, say!];
    const { nodes } = documentToFlow(workflow, catalogue);
    expect(nodes.map((node) => node.id)).toEqual(["work", "compose", "start", "loud", "say"]);
    expect(parentsFirst([{ id: "a", parent_id: "missing" }]).map((n) => n.id)).toEqual(["a"]);
  });

  it("gives a container saved without a size room for its children", () => {
    const workflow = sampleWorkflow();
    workflow.nodes[1]!.size = null;
    const { nodes } = documentToFlow(workflow, catalogue);
    const work = nodes.find((node) => node.id === "work")!;
    expect(work.width).toBeGreaterThanOrEqual(40 + 220);
    expect(work.height).toBeGreaterThanOrEqual(60 + 64);
    const back = flowToDocument(nodes, [], documentToFlow(workflow, catalogue).meta);
    expect(back.nodes.find((node) => node.id === "work")?.size).toEqual({
      width: work.width,
      height: work.height,
    });
  });

  it("fills in the defaults of a document written by hand", () => {
    const workflow = sampleWorkflow();
    workflow.nodes = [{ id: "s", type: "start" } as never];
    workflow.edges = [{ id: "x", source: "s", target: "t" } as never];
    const flow = documentToFlow(workflow, catalogue);
    const back = flowToDocument(flow.nodes, flow.edges, flow.meta);
    expect(back.nodes[0]).toEqual({
      id: "s",
      type: "start",
      label: "",
      position: { x: 0, y: 0 },
      size: null,
      parent_id: null,
      config: {},
    });
    expect(back.edges[0]).toEqual({ id: "x", source: "s", source_handle: "out", target: "t", target_handle: "in" });
  });

  it("shows one handle per switch case, and keeps handles still used by edges", () => {
    const switchKind = catalogue.kinds.get("switch");
    const handles = outputHandles(switchKind, { cases: [{ key: "a" }, { key: "b" }] }, ["case:gone"]);
    expect(handles.map((handle) => handle.id)).toEqual(["case:a", "case:b", "case:gone", "default"]);
  });
});

import { describe, expect, it } from "vitest";

import { documentToFlow, nodeSize } from "../document/mapping";
import { catalogue, sampleWorkflow } from "../test/fixtures";
import { autoLayout, needsLayout } from "./layout";

describe("auto-layout", () => {
  it("places containers around their children and keeps every node apart", async () => {
    const workflow = sampleWorkflow();
    for (const node of workflow.nodes) {
      node.position = { x: 0, y: 0 };
      node.size = null;
    }
    workflow.nodes.push({
      id: "more",
      type: "activity",
      label: "More",
      position: { x: 0, y: 0 },
      size: null,
      parent_id: "work",
      config: {},
    });
    workflow.edges.push({ id: "e4", source: "compose", source_handle: "out", target: "more", target_handle: "in" });
    const { nodes, edges } = documentToFlow(workflow, catalogue);
    expect(needsLayout(nodes)).toBe(true);
    const layout = await autoLayout(nodes, edges, catalogue);
    expect([...layout.keys()].sort()).toEqual(["compose", "loud", "more", "say", "start", "work"]);
    const work = layout.get("work")!;
    const compose = layout.get("compose")!;
    const more = layout.get("more")!;
    // children are placed relative to their container, below its header and inside its box
    expect(compose.position.y).toBeGreaterThanOrEqual(40);
    expect(more.position.y).toBeGreaterThan(compose.position.y);
    expect(work.size!.height).toBeGreaterThanOrEqual(more.position.y + nodeSize(nodes[0]!).height);
    // the flow reads top to bottom
    expect(layout.get("start")!.position.y).toBeLessThan(work.position.y);
    expect(work.position.y + work.size!.height).toBeLessThanOrEqual(layout.get("loud")!.position.y);
  });

  it("lays out branches that merge again inside a container", async () => {
    const workflow = sampleWorkflow();
    const at = { x: 0, y: 0 };
    const inside = (id: string, type: string) => ({
      id,
      type,
      label: id,
      position: at,
      size: null,
      parent_id: "work",
      config: {},
    });
    workflow.nodes = [
      { ...workflow.nodes[0]!, position: at },
      { ...workflow.nodes[1]!, position: at, size: null },
      inside("check", "condition"),
      inside("a", "activity"),
      inside("b", "activity"),
      inside("again", "condition"),
      inside("fail", "end"),
      inside("c", "activity"),
      inside("merge", "activity"),
      { id: "empty", type: "phase", label: "Empty", position: at, size: null, parent_id: null, config: {} },
    ];
    const edge = (id: string, source: string, handle: string, target: string) => ({
      id,
      source,
      source_handle: handle,
      target,
      target_handle: "in",
    });
    workflow.edges = [
      edge("e1", "start", "out", "work"),
      edge("e2", "work", "out", "empty"),
      edge("v1", "check", "true", "a"),
      edge("v2", "a", "out", "b"),
      edge("v3", "b", "out", "again"),
      edge("v4", "again", "true", "fail"),
      edge("v5", "check", "false", "c"),
      edge("v7", "c", "out", "merge"),
      edge("v6", "again", "false", "merge"),
    ];
    const { nodes, edges } = documentToFlow(workflow, catalogue);
    const layout = await autoLayout(nodes, edges, catalogue);
    expect(layout.size).toBe(nodes.length);
    const check = layout.get("check")!;
    expect(layout.get("a")!.position.y).toBeGreaterThan(check.position.y);
    expect(layout.get("merge")!.position.y).toBeGreaterThan(layout.get("again")!.position.y);
    // true is drawn on the left of false: ports keep the kind's order
    expect(layout.get("a")!.position.x).toBeLessThan(layout.get("c")!.position.x);
  });
});

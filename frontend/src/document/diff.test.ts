import { describe, expect, it } from "vitest";

import type { DocNode } from "../api/types";
import { sampleWorkflow } from "../test/fixtures";
import { diffWorkflows, fieldChanges, isEmptyDiff } from "./diff";

describe("diff between two workflow documents", () => {
  it("finds nothing between a document and its copy, even with defaults left out", () => {
    const before = sampleWorkflow();
    const after = structuredClone(before);
    const stored: Partial<DocNode> = after.nodes[0]!;
    delete stored.size;
    delete stored.parent_id;
    expect(isEmptyDiff(diffWorkflows(before, after))).toBe(true);
  });

  it("lists nodes added, removed and changed, with the changed fields", () => {
    const before = sampleWorkflow();
    const after = structuredClone(before);
    after.nodes = after.nodes.filter((node) => node.id !== "say");
    after.nodes.push({
      id: "wait",
      type: "timer",
      label: "Wait",
      position: { x: 0, y: 0 },
      size: null,
      parent_id: null,
      config: {},
    });
    after.nodes[2]!.label = "Compose greeting";
    after.nodes[2]!.config = { ...after.nodes[2]!.config, result: "text" };
    after.name = "Greet twice";
    const diff = diffWorkflows(before, after);
    expect(diff.nodesAdded.map((node) => node.id)).toEqual(["wait"]);
    expect(diff.nodesRemoved.map((node) => node.id)).toEqual(["say"]);
    expect(diff.nodesChanged).toHaveLength(1);
    expect(diff.nodesChanged[0]!.changes).toEqual([
      { field: "label", before: "Compose", after: "Compose greeting" },
      { field: "config.result", before: "greeting", after: "text" },
    ]);
    expect(diff.workflowChanges).toEqual([{ field: "name", before: "Greet", after: "Greet twice" }]);
  });

  it("compares edges by what they connect, not by their ids", () => {
    const before = sampleWorkflow();
    const after = structuredClone(before);
    after.edges[0]!.id = "renamed";
    after.edges[2]!.source_handle = "false";
    const diff = diffWorkflows(before, after);
    expect(diff.edgesAdded).toEqual([after.edges[2]]);
    expect(diff.edgesRemoved).toEqual([before.edges[2]]);
  });

  it("reports a dict whose keys only moved as one change", () => {
    expect(fieldChanges({ a: 1, b: 2 }, { b: 2, a: 1 }, "input")).toEqual([
      { field: "input", before: { a: 1, b: 2 }, after: { b: 2, a: 1 } },
    ]);
  });
});

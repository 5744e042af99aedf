import { describe, expect, it } from "vitest";

import type { DocNode, NodeKind, Workflow } from "../api/types";
import { catalogue, sampleWorkflow } from "../test/fixtures";
import { makeCatalogue } from "./catalogue";
import { diffWorkflows, fieldChanges, isEmptyDiff } from "./diff";

/** The document as the server answers it: every field of the workflow and its nodes present. */
function asStored(workflow: Workflow): Workflow {
  return structuredClone(workflow);
}

/** The same document as the editor may hold it: fields at their defaults left out. */
function asWritten(workflow: Workflow): Workflow {
  const written: Partial<Workflow> = structuredClone(workflow);
  delete written.description;
  delete written.input_defaults;
  written.output = "None";
  const nodes = (written.nodes ?? []).map((node) => {
    const bare: Partial<DocNode> = { ...node };
    delete bare.size;
    delete bare.parent_id;
    if (bare.label === "") delete bare.label;
    return bare as DocNode;
  });
  return { ...(written as Workflow), nodes };
}

describe("diff between two workflow documents", () => {
  it("finds nothing between a document and its copy, even with defaults left out", () => {
    const before = sampleWorkflow();
    before.output = "None";
    before.nodes = before.nodes.filter((node) => node.parent_id === null);
    before.nodes[0]!.label = "";
    expect(isEmptyDiff(diffWorkflows(asStored(before), asWritten(before)))).toBe(true);
  });

  it("leaves out the containers shown collapsed", () => {
    const folded = { ...asStored(sampleWorkflow()), ui: { collapsed: ["work"] } };
    expect(isEmptyDiff(diffWorkflows(sampleWorkflow(), folded, catalogue))).toBe(true);
    expect(isEmptyDiff(diffWorkflows(folded, sampleWorkflow(), catalogue))).toBe(true);
  });

  it("leaves out layout: moved and resized nodes are not changes", () => {
    const before = sampleWorkflow();
    const after = structuredClone(before);
    after.nodes[1]!.position = { x: 300, y: 500 };
    after.nodes[1]!.size = { width: 640, height: 480 };
    after.nodes[4]!.position = { x: -20.5, y: 7 };
    expect(isEmptyDiff(diffWorkflows(before, after))).toBe(true);
  });

  it("takes an empty field, a missing one and one at its schema default for the same", () => {
    const before = sampleWorkflow();
    const after = structuredClone(before);
    before.nodes[2]!.config = { activity: "compose", args: { name: "input.name" }, result: "greeting" };
    after.nodes[2]!.config = {
      activity: "compose",
      args: { name: "input.name" },
      result: "greeting",
      summary: "",
      retry: null,
      heartbeat_timeout: null,
      mode: "wait",
    };
    after.state[0]!.description = undefined as unknown as string;
    const withDefaults = makeCatalogue([
      ...catalogue.kinds.values(),
      {
        ...catalogue.kinds.get("activity")!,
        config_schema: {
          type: "object",
          properties: {
            mode: { type: "string", title: "Waits", default: "wait" },
            result: { type: "string", title: "Result variable" },
          },
        },
      } satisfies NodeKind,
    ]);
    expect(isEmptyDiff(diffWorkflows(before, after, withDefaults))).toBe(true);
    after.nodes[2]!.config = { ...after.nodes[2]!.config, mode: "start" };
    expect(diffWorkflows(before, after, withDefaults).nodesChanged[0]!.changes).toEqual([
      { field: "config.mode", label: "Waits", before: undefined, after: "start" },
    ]);
  });

  it("lists nodes added, removed and changed, naming the changed fields in words", () => {
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
    after.nodes[2]!.position = { x: 99, y: 99 };
    after.nodes[2]!.config = { ...after.nodes[2]!.config, result: "text" };
    after.name = "Greet twice";
    after.settings = { ...after.settings, execution_timeout: "1h" };
    const diff = diffWorkflows(before, after);
    expect(diff.nodesAdded.map((node) => node.id)).toEqual(["wait"]);
    expect(diff.nodesRemoved.map((node) => node.id)).toEqual(["say"]);
    expect(diff.nodesChanged).toHaveLength(1);
    expect(diff.nodesChanged[0]!.changes).toEqual([
      { field: "label", label: "Label", before: "Compose", after: "Compose greeting" },
      { field: "config.result", label: "Result", before: "greeting", after: "text" },
    ]);
    expect(diff.workflowChanges).toEqual([
      { field: "name", label: "Name", before: "Greet", after: "Greet twice" },
      { field: "settings.execution_timeout", label: "Execution timeout", before: undefined, after: "1h" },
    ]);
  });

  it("names a config field by its schema title when the catalogue gives one", () => {
    const before = sampleWorkflow();
    const after = structuredClone(before);
    after.nodes[2]!.config = { ...after.nodes[2]!.config, args: { name: "input.full_name" } };
    const titled = makeCatalogue([
      {
        ...catalogue.kinds.get("activity")!,
        config_schema: { type: "object", properties: { args: { type: "object", title: "Arguments" } } },
      },
    ]);
    expect(diffWorkflows(before, after, titled).nodesChanged[0]!.changes).toEqual([
      { field: "config.args.name", label: "Arguments › Name", before: "input.name", after: "input.full_name" },
    ]);
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
      { field: "input", label: "Input", before: { a: 1, b: 2 }, after: { b: 2, a: 1 } },
    ]);
  });
});

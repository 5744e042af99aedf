import { describe, expect, it } from "vitest";

import type { Workflow } from "../api/types";
import { sampleWorkflow } from "../test/fixtures";
import { rebase } from "./merge";

function edit(workflow: Workflow, change: (copy: Workflow) => void): Workflow {
  const copy = structuredClone(workflow);
  change(copy);
  return copy;
}

const nodeOf = (workflow: Workflow, id: string) => workflow.nodes.find((node) => node.id === id)!;

describe("rebasing one editor's changes onto another's save", () => {
  const base = sampleWorkflow();

  it("merges changes to different nodes, keeping both", () => {
    const theirs = edit(base, (w) => {
      nodeOf(w, "compose").label = "Compose greeting";
    });
    const mine = edit(base, (w) => {
      nodeOf(w, "say").config = { value: "greeting.text.upper()" };
      nodeOf(w, "loud").position = { x: 50, y: 460 };
    });
    const merged = rebase(base, mine, theirs)!;
    expect(nodeOf(merged, "compose").label).toBe("Compose greeting");
    expect(nodeOf(merged, "say").config).toEqual({ value: "greeting.text.upper()" });
    expect(nodeOf(merged, "loud").position).toEqual({ x: 50, y: 460 });
    expect(merged.nodes.map((node) => node.id)).toEqual(base.nodes.map((node) => node.id));
  });

  it("merges different fields of one node, down to the entries of its config", () => {
    const theirs = edit(base, (w) => {
      nodeOf(w, "compose").config = { ...nodeOf(w, "compose").config, result: "text" };
    });
    const mine = edit(base, (w) => {
      nodeOf(w, "compose").label = "Compose greeting";
      nodeOf(w, "compose").config = { ...nodeOf(w, "compose").config, args: { name: "input.name.title()" } };
    });
    const merged = rebase(base, mine, theirs)!;
    expect(nodeOf(merged, "compose")).toMatchObject({
      label: "Compose greeting",
      config: { activity: "compose", args: { name: "input.name.title()" }, result: "text" },
    });
  });

  it("keeps both sides' collapsed containers, one container at a time", () => {
    const withTwo = edit(base, (w) => {
      w.nodes.push({ id: "extra", type: "phase", label: "Extra", position: { x: 400, y: 0 }, size: null, parent_id: null, config: {} });
      w.ui = { collapsed: ["work"] };
    });
    const theirs = edit(withTwo, (w) => {
      delete w.ui; // they expanded "work"
      nodeOf(w, "compose").label = "Compose greeting";
    });
    const mine = edit(withTwo, (w) => {
      w.ui = { collapsed: ["extra", "work"] }; // I folded "extra" too
    });
    const merged = rebase(withTwo, mine, theirs)!;
    expect(merged.ui).toEqual({ collapsed: ["extra"] });
    expect(nodeOf(merged, "compose").label).toBe("Compose greeting");

    // a container I folded that they removed is not left folded in the document
    const removed = edit(withTwo, (w) => {
      w.nodes = w.nodes.filter((node) => node.id !== "extra");
    });
    expect(rebase(withTwo, mine, removed)!.ui).toEqual({ collapsed: ["work"] });
    // the same container expanded by both sides: nothing is left collapsed, nothing clashes
    const expanded = edit(withTwo, (w) => {
      delete w.ui;
    });
    expect(rebase(withTwo, expanded, expanded)!.ui).toBeUndefined();
  });

  it("merges nodes and edges added or removed on either side, and workflow fields", () => {
    const theirs = edit(base, (w) => {
      w.nodes.push({ id: "wait", type: "timer", label: "Wait", position: { x: 0, y: 700 }, size: null, parent_id: null, config: {} });
      w.edges.push({ id: "e4", source: "loud", source_handle: "false", target: "wait", target_handle: "in" });
      w.name = "Greet politely";
    });
    const mine = edit(base, (w) => {
      w.edges = w.edges.filter((edge) => edge.id !== "e3");
      w.description = "Says hello";
    });
    const merged = rebase(base, mine, theirs)!;
    expect(merged.edges.map((edge) => edge.id)).toEqual(["e1", "e2", "e4"]);
    expect(nodeOf(merged, "wait").label).toBe("Wait");
    expect([merged.name, merged.description]).toEqual(["Greet politely", "Says hello"]);
  });

  it("takes the same change made on both sides as no conflict", () => {
    const renamed = edit(base, (w) => {
      nodeOf(w, "say").label = "Say it";
    });
    expect(nodeOf(rebase(base, renamed, renamed)!, "say").label).toBe("Say it");
  });

  it("refuses the same field changed differently", () => {
    const theirs = edit(base, (w) => {
      nodeOf(w, "say").label = "Say it";
    });
    const mine = edit(base, (w) => {
      nodeOf(w, "say").label = "Shout it";
    });
    expect(rebase(base, mine, theirs)).toBeNull();
  });

  it("refuses a change to a node the other side removed", () => {
    const theirs = edit(base, (w) => {
      w.nodes = w.nodes.filter((node) => node.id !== "say");
      w.edges = w.edges.filter((edge) => edge.target !== "say");
    });
    const mine = edit(base, (w) => {
      nodeOf(w, "say").config = { value: "'hi'" };
    });
    expect(rebase(base, mine, theirs)).toBeNull();
  });

  it("refuses a merge that would join a node the other side removed", () => {
    const theirs = edit(base, (w) => {
      w.nodes = w.nodes.filter((node) => node.id !== "say");
      w.edges = w.edges.filter((edge) => edge.target !== "say");
    });
    const mine = edit(base, (w) => {
      w.edges.push({ id: "e9", source: "loud", source_handle: "false", target: "say", target_handle: "in" });
    });
    expect(rebase(base, mine, theirs)).toBeNull();
  });
});

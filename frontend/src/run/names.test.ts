import { describe, expect, it } from "vitest";

import { labelOf, nodeLabels, sentenceParts, sentenceWorkflow } from "./names";

describe("node names", () => {
  const labels = nodeLabels([
    { id: "flow", nodes: [{ id: "a", label: "Fetch order" }, { id: "c", label: "" }] },
    { id: "other", nodes: [{ id: "a", label: "Another a" }] },
  ]);

  it("finds a node's label in its workflow, its id when it has none", () => {
    expect(labelOf(labels, "flow", "a")).toBe("Fetch order");
    expect(labelOf(labels, "other", "a")).toBe("Another a");
    expect(labelOf(labels, "flow", "c")).toBe("c");
    expect(labelOf(labels, "flow", "gone")).toBeNull();
    expect(labelOf(labels, "nowhere", "a")).toBeNull();
  });

  it("cuts a sentence where it names nodes", () => {
    const sentence =
      'flow: 1 running execution would fail at node "a" (activity changed: the new code runs \'step_three\' (node "c"))';

    expect(sentenceParts(sentence)).toEqual([
      { text: "flow: 1 running execution would fail at node " },
      { nodeId: "a" },
      { text: " (activity changed: the new code runs 'step_three' (node " },
      { nodeId: "c" },
      { text: "))" },
    ]);
    expect(sentenceParts("nothing to name")).toEqual([{ text: "nothing to name" }]);
    expect(sentenceWorkflow(sentence, ["other", "flow"])).toBe("flow");
    expect(sentenceWorkflow("more than 1000 executions run", ["flow"])).toBeNull();
  });
});

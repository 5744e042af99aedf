import { describe, expect, it } from "vitest";

import { gateDecisions, handlersOf, initialTexts, readFields } from "./fields";

const types = { Package: { fields: { name: "str", deps: "list[str]" } } };

describe("typed fields as form texts", () => {
  const fields = { name: "str", count: "int", ratio: "float", fast: "bool", items: "list[Package]", note: "str | None" };

  it("starts from the workflow's defaults, else an empty value of each type", () => {
    expect(initialTexts(fields, { count: 3 }, types)).toEqual({
      name: "",
      count: "3",
      ratio: "0",
      fast: "false",
      items: "[]",
      note: "",
    });
    expect(initialTexts({ one: "Package" }, undefined, types)).toEqual({ one: '{ "name": "", "deps": [] }' });
  });

  it("reads texts back as typed values", () => {
    const read = readFields(fields, {
      name: "ada",
      count: "2",
      ratio: "0.5",
      fast: "true",
      items: '[{"name": "a", "deps": []}]',
      note: "",
    });
    expect(read.errors).toEqual({});
    expect(read.value).toEqual({
      name: "ada",
      count: 2,
      ratio: 0.5,
      fast: true,
      items: [{ name: "a", deps: [] }],
      note: null,
    });
  });

  it("starts a Literal field at its first value and reads a choice back as its value", () => {
    const choices = { phase: "Literal['draft', 'done']", level: "Literal[1, 2]", maybe: "Literal['a'] | None" };
    expect(initialTexts(choices, { level: 2 }, types)).toEqual({ phase: "draft", level: "2", maybe: "" });
    const read = readFields(choices, { phase: "done", level: "2", maybe: "" });
    expect(read.errors).toEqual({});
    expect(read.value).toEqual({ phase: "done", level: 2, maybe: null });
    expect(readFields(choices, { phase: "dne", level: "3", maybe: "b" }).errors).toEqual({
      phase: "choose one of 'draft', 'done'",
      level: "choose one of 1, 2",
      maybe: "choose one of 'a'",
    });
  });

  it("names the field whose text is not of its type", () => {
    const read = readFields({ count: "int", items: "list[str]" }, { count: "2.5", items: "[oops" });
    expect(Object.keys(read.errors).sort()).toEqual(["count", "items"]);
  });
});

describe("handlers and approval gates", () => {
  const nodes = [
    { id: "s1", type: "signal", label: "", position: { x: 0, y: 0 }, config: { name: "rejectRequest", params: { reason: "str" } } },
    { id: "s2", type: "signal", label: "", position: { x: 0, y: 0 }, config: { name: "approveRequest", params: {} } },
    { id: "q1", type: "query", label: "", position: { x: 0, y: 0 }, config: { name: "progress", value: "state.done" } },
    { id: "a1", type: "activity", label: "", position: { x: 0, y: 0 }, config: { activity: "x" } },
  ];

  it("lists the workflow's signals, updates and queries", () => {
    expect(handlersOf({ nodes }).map((h) => `${h.kind}:${h.name}`)).toEqual([
      "query:progress",
      "signal:approveRequest",
      "signal:rejectRequest",
    ]);
  });

  it("finds the handlers that approve and reject by their names", () => {
    const decisions = gateDecisions(handlersOf({ nodes }));
    expect(decisions.approve?.name).toBe("approveRequest");
    expect(decisions.reject?.name).toBe("rejectRequest");
  });
});

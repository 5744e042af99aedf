import { describe, expect, it } from "vitest";

import { accept, type Completions, scopeAt, settingsScope, suggest } from "./completions";

const completions: Completions = {
  scopes: [
    { base: -1, add: { input: "OrderInput", state: "OrderState", now: "datetime" }, drop: [] },
    { base: 0, add: { item: "Line", total: "int" }, drop: [] },
    { base: 1, add: { checked: "bool" }, drop: ["item"] },
    { base: -1, add: { input: "OrderInput" }, drop: [] },
  ],
  workflows: {
    orders: { nodes: { start: 0, each: 1, after: 2 }, fields: { each: { "config.until": 2 } }, settings: 3 },
  },
  records: {
    OrderInput: { customer: "Customer | None", lines: "list[Line]" },
    OrderState: { count: "int" },
    Customer: { name: "str", email: "str" },
    Line: { sku: "str" },
  },
  functions: ["len", "str"],
};

describe("scopeAt", () => {
  it("applies each scope's differences to the one it is based on", () => {
    const names = scopeAt(completions, "orders", "after", "value")?.names;
    expect(names && Object.fromEntries(names)).toEqual({
      input: "OrderInput",
      state: "OrderState",
      now: "datetime",
      total: "int",
      checked: "bool",
    });
  });

  it("gives a field its own scope where it has one", () => {
    expect(scopeAt(completions, "orders", "each", "items")?.names.has("item")).toBe(true);
    expect(scopeAt(completions, "orders", "each", "until")?.names.has("item")).toBe(false);
    expect(scopeAt(completions, "orders", "missing", "value")).toBeNull();
    expect(scopeAt(null, "orders", "each", "value")).toBeNull();
  });

  it("gives the workflow's settings the input alone", () => {
    const names = settingsScope(completions, "orders")?.names;
    expect(names && Object.fromEntries(names)).toEqual({ input: "OrderInput" });
    expect(settingsScope(completions, "other")).toBeNull();
  });
});

describe("suggest", () => {
  const scope = scopeAt(completions, "orders", "each", "value")!;

  it("offers the names starting with the word at the caret, with their types", () => {
    const found = suggest("it", 2, "expression", scope);
    expect(found).toEqual({ from: 0, to: 2, items: [{ label: "item", detail: "Line" }] });
    expect(suggest("len(st", 6, "expression", scope)?.items.map((i) => i.label)).toEqual(["state", "str"]);
  });

  it("offers a record's fields after a dot, through optional types", () => {
    expect(suggest("input.", 6, "expression", scope)?.items.map((i) => i.label)).toEqual(["customer", "lines"]);
    const deep = suggest("input.customer.e", 16, "expression", scope);
    expect(deep).toEqual({ from: 15, to: 16, items: [{ label: "email", detail: "str" }] });
    expect(suggest("total.", 6, "expression", scope)).toBeNull();
  });

  it("opens on an empty word only when asked, and never in a string or a number", () => {
    expect(suggest("", 0, "expression", scope)).toBeNull();
    expect(suggest("", 0, "expression", scope, true)?.items.length).toBe(7);
    expect(suggest("'it", 3, "expression", scope)).toBeNull();
    expect(suggest("1.5", 3, "expression", scope, true)).toBeNull();
  });

  it("completes inside a template's braces only", () => {
    expect(suggest("Hello it", 8, "template", scope)).toBeNull();
    expect(suggest("Hello {it", 9, "template", scope)?.items[0]?.label).toBe("item");
    expect(suggest("Hello {item} to", 15, "template", scope)).toBeNull();
  });

  it("replaces the word being typed and puts the caret after the name", () => {
    const found = suggest("len(inp) + 1", 7, "expression", scope)!;
    expect(accept("len(inp) + 1", found, found.items[0]!)).toEqual({ value: "len(input) + 1", caret: 9 });
  });
});

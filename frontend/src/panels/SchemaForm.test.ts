import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { literalChoices } from "../document/typerefs";
import { type DictRow, type FormContext, keepRows, SchemaField } from "./SchemaForm";

const context: FormContext = {
  root: {},
  problems: new Map(),
  suggestions: () => undefined,
  expectedKeys: () => undefined,
  choicesOf: (path, parent) =>
    path.endsWith(".default") && typeof parent.type === "string" ? (literalChoices(parent.type) ?? undefined) : undefined,
  idPrefix: "workflow",
};

describe("a default of a Literal field", () => {
  it("is chosen among the field's values, numbers kept as numbers", () => {
    const html = renderToStaticMarkup(
      createElement(SchemaField, {
        name: "default",
        path: "state.0.default",
        schema: {},
        value: 2,
        required: false,
        parent: { name: "level", type: "Literal[1, 2, 3]" },
        context,
        onChange: () => undefined,
      }),
    );
    expect(html).toContain('<select id="workflow-state.0.default"');
    const options = [...html.matchAll(/<option value="([^"]*)"( selected="")?>([^<]*)</g)].map((m) => [m[3], Boolean(m[2])]);
    expect(options).toEqual([
      ["—", false],
      ["1", false],
      ["2", true],
      ["3", false],
    ]);
  });
});

describe("the rows of a dict", () => {
  const ids = (rows: DictRow[]) => rows.map((row) => `${row.id}=${row.key}`);

  it("stay the same rows when an offered key gets a value", () => {
    // offered: name, count; given: note. The keys are listed offered first, so typing into
    // `count` (which adds it to the dict, after `note`) lists the same keys in the same order.
    const first = keepRows([], ["name", "count", "note"]);
    expect(ids(first)).toEqual(["name=name", "count=count", "note=note"]);
    expect(keepRows(first, ["name", "count", "note"])).toBe(first);
  });

  it("keep a renamed row's identity, and give a new key a row at the end", () => {
    const first = keepRows([], ["a", "field"]);
    const renamed = first.map((row) => (row.key === "field" ? { ...row, key: "f" } : row));
    expect(keepRows(renamed, ["a", "f"])).toBe(renamed);
    expect(ids(keepRows(renamed, ["a", "f", "field"]))).toEqual(["a=a", "field=f", "field#2=field"]);
  });

  it("drop the keys that went, and a second row for one key", () => {
    const rows: DictRow[] = [
      { id: "a", key: "a" },
      { id: "b", key: "a" },
      { id: "c", key: "c" },
    ];
    expect(ids(keepRows(rows, ["a"]))).toEqual(["a=a"]);
  });
});

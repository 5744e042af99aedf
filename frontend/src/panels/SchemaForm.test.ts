import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { literalChoices } from "../document/typerefs";
import { type FormContext, SchemaField } from "./SchemaForm";

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

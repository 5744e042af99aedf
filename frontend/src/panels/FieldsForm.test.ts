import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { FieldsForm } from "./FieldsForm";

function render(fields: Record<string, string>, texts: Record<string, string>): string {
  return renderToStaticMarkup(
    createElement(FieldsForm, { fields, texts, errors: {}, idPrefix: "run", onChange: () => undefined }),
  );
}

describe("the run form", () => {
  it("offers a Literal field's values in a select", () => {
    const html = render({ phase: "Literal['draft', 'review', 'done']", note: "str" }, { phase: "review", note: "" });
    expect(html).toContain('<select id="run-phase"');
    const options = [...html.matchAll(/<option value="([^"]*)"( selected="")?>/g)].map((m) => [m[1], Boolean(m[2])]);
    expect(options).toEqual([
      ["draft", false],
      ["review", true],
      ["done", false],
    ]);
    expect(html).toContain('<input id="run-note" class="text-input" type="text"');
  });

  it("lets an optional Literal field be None", () => {
    const html = render({ level: "Literal[1, 2] | None" }, { level: "" });
    const options = [...html.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    expect(options).toEqual(["", "1", "2"]);
  });
});

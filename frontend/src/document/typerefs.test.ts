import { describe, expect, it } from "vitest";

import { isOptional, literalChoices, TYPE_SUGGESTIONS, typeShape, typeText } from "./typerefs";

describe("a Literal's choices", () => {
  it("reads text and whole numbers, quoted either way, optional or not", () => {
    expect(literalChoices("Literal['draft', 'review', \"done\"]")).toEqual(["draft", "review", "done"]);
    expect(literalChoices(" Literal[1, -2,3] | None")).toEqual([1, -2, 3]);
    expect(literalChoices("Literal['it\\'s', \"a, b\"]")).toEqual(["it's", "a, b"]);
    expect(isOptional("Literal['a'] | None")).toBe(true);
  });

  it("is null for any other type, or a Literal it cannot read", () => {
    for (const type of ["str", "list[Literal['a']]", "Literal", "Literal[]", "Literal[x]", "Literal['a' 'b']"]) {
      expect(literalChoices(type)).toBeNull();
    }
  });
});

describe("typeShape", () => {
  const names = ["str", "int", "Receipt"];

  it("reads the types a picker shows, and writes them back the same", () => {
    for (const text of ["int", "Receipt | None", "list[Receipt]", "dict[str, int] | None"]) {
      const shape = typeShape(text, names);
      expect(shape).not.toBeNull();
      expect(typeText(shape!)).toBe(text);
    }
    expect(typeShape("list[ Receipt ]", names)).toEqual({ kind: "list", name: "Receipt", optional: false });
  });

  it("reads no output (and the None older documents wrote) as nothing, written as no text", () => {
    expect(typeShape("None", names)).toEqual({ kind: "nothing" });
    expect(typeShape("", names)).toEqual({ kind: "nothing" });
    expect(typeText({ kind: "nothing" })).toBe("");
  });

  it("suggests no None as a type's text", () => {
    expect(TYPE_SUGGESTIONS).toContain("str");
    expect(TYPE_SUGGESTIONS).not.toContain("None");
  });

  it("leaves to the text what it cannot show", () => {
    expect(typeShape("Literal['a']", names)).toBeNull();
    expect(typeShape("list[list[int]]", names)).toBeNull();
    expect(typeShape("Unknown", names)).toBeNull();
    expect(typeShape("dict[int, str]", names)).toBeNull();
  });
});

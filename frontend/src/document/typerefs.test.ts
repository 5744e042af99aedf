import { describe, expect, it } from "vitest";

import { isOptional, literalChoices } from "./typerefs";

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

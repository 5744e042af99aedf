import { describe, expect, it } from "vitest";

import { Workflow_InputSchema } from "../api/gen/schemas.gen";
import { SLUG_PATTERN, slugify } from "./router";

describe("ids made from names", () => {
  it("uses the one pattern of the API's ids, projects' and workflows' alike", () => {
    expect(SLUG_PATTERN.source).toBe(Workflow_InputSchema.properties.id.pattern);
    expect(SLUG_PATTERN.test("order-approval")).toBe(true);
    expect(SLUG_PATTERN.test("Order approval")).toBe(false);
  });

  it("makes ids the API accepts", () => {
    expect(slugify("Order approval")).toBe("order-approval");
    expect(slugify("2nd release")).toBe("nd-release");
    const long = slugify("a".repeat(60) + " " + "b".repeat(60));
    expect(long.length).toBeLessThanOrEqual(64);
    for (const name of ["Order approval", "  Crème brûlée -- v2 ", "x", "A-b_c.d", "Ünïcödé name", "a".repeat(63) + " b", "z9 - 9z"]) {
      expect(slugify(name)).toMatch(SLUG_PATTERN);
    }
  });

  it("gives nothing for a name without a letter to start with", () => {
    expect(slugify("")).toBe("");
    expect(slugify("123 456")).toBe("");
    expect(slugify("日本語")).toBe("");
  });
});

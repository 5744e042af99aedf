import { describe, expect, it } from "vitest";

import { labelPieces } from "./labelBreaks";

describe("labelPieces", () => {
  it("cuts at camelCase humps, and after an acronym", () => {
    expect(labelPieces("createFeatureBranch")).toEqual(["create", "Feature", "Branch"]);
    expect(labelPieces("parseHTTPResponse")).toEqual(["parse", "HTTP", "Response"]);
    expect(labelPieces("CreateBranch")).toEqual(["Create", "Branch"]);
  });

  it("cuts after underscores, hyphens and dots, keeping them on the line before", () => {
    expect(labelPieces("run_integration_tests_and_publish")).toEqual([
      "run_",
      "integration_",
      "tests_",
      "and_",
      "publish",
    ]);
    expect(labelPieces("deploy-to-prod")).toEqual(["deploy-", "to-", "prod"]);
    expect(labelPieces("pkg.module.fn")).toEqual(["pkg.", "module.", "fn"]);
    expect(labelPieces("__private")).toEqual(["__", "private"]);
  });

  it("cuts between letters and digits", () => {
    expect(labelPieces("step42done")).toEqual(["step", "42", "done"]);
    expect(labelPieces("retry3Times")).toEqual(["retry", "3", "Times"]);
  });

  it("leaves words and spaces alone, and joins back into the label", () => {
    expect(labelPieces("Charge card")).toEqual(["Charge card"]);
    expect(labelPieces("")).toEqual([]);
    for (const label of ["createFeatureBranch", "run_tests-v2.final", "Élan vitalÉtat", "a  b", "x_"]) {
      expect(labelPieces(label).join("")).toBe(label);
    }
    expect(labelPieces("ÉlanÉtat")).toEqual(["Élan", "État"]);
  });
});

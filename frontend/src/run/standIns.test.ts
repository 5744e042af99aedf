import { describe, expect, it } from "vitest";

import { newStandIn, readStandIns, standInErrors, standInNodes } from "./standIns";

describe("stand-ins of a test run", () => {
  it("offers the nodes that call an activity, by label", () => {
    const nodes = [
      { id: "start", data: { kind: "start", label: "Start" } },
      { id: "verify", data: { kind: "activity", label: "Verify" } },
      { id: "ask", data: { kind: "agent", label: "" } },
      { id: "wait", data: { kind: "timer", label: "Wait" } },
      { id: "build", data: { kind: "activity", label: "Build" } },
    ];
    expect(standInNodes(nodes)).toEqual([
      { id: "ask", label: "ask" },
      { id: "build", label: "Build" },
      { id: "verify", label: "Verify" },
    ]);
  });

  it("reads a result as JSON and a failure with its optional type", () => {
    const read = readStandIns([
      { ...newStandIn("build"), result: '{"ok": true, "n": [1]}' },
      { ...newStandIn("verify"), mode: "error", message: " registry down ", type: "", nonRetryable: true },
      { ...newStandIn("charge"), mode: "error", message: "declined", type: "Declined", nonRetryable: false },
    ]);
    expect(read.errors).toEqual({});
    expect(read.value).toEqual({
      build: { result: { ok: true, n: [1] } },
      verify: { error: { message: "registry down", non_retryable: true } },
      charge: { error: { message: "declined", type: "Declined", non_retryable: false } },
    });
  });

  it("keeps null as a result and says which rows cannot be sent", () => {
    expect(readStandIns([newStandIn("a")]).value).toEqual({ a: { result: null } });
    const read = readStandIns([
      { ...newStandIn("a"), result: "{ok: true}" },
      { ...newStandIn("b"), mode: "error", message: "  " },
      { ...newStandIn("c"), result: "3" },
    ]);
    expect(Object.keys(read.errors)).toEqual(["a", "b"]);
    expect(read.errors.a).toMatch(/^the result is not JSON/);
    expect(read.errors.b).toBe("a failure needs a message");
    expect(read.value).toEqual({ c: { result: 3 } });
  });

  it("maps a 422's stand_ins fields to the rows they name", () => {
    const byField = {
      verify: "stand_ins.verify: node 'verify' is a 'timer' node, which calls no activity",
      "build.x.error.type": "string does not match the pattern",
      "build.x": "stand_ins.build.x: the result does not fit",
      "elsewhere.result": "not a row",
    };
    expect(standInErrors(byField, ["verify", "build", "build.x"])).toEqual({
      verify: byField.verify,
      "build.x": `${byField["build.x.error.type"]}; ${byField["build.x"]}`,
    });
  });
});

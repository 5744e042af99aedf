import { describe, expect, it } from "vitest";

import { runEvent, SseParser } from "./sse";

describe("SSE parsing", () => {
  it("gives each message once it is complete, however the chunks are cut", () => {
    const parser = new SseParser();
    const text = 'event: snapshot\ndata: {"a":1}\n\n: waiting\n\nevent: end\ndata: {"b":2}\n\n';
    const messages = [];
    for (const character of text) messages.push(...parser.feed(character));
    expect(messages).toEqual([
      { event: "snapshot", data: '{"a":1}' },
      { event: "end", data: '{"b":2}' },
    ]);
  });

  it("reads CRLF line ends split between chunks, and joins data lines", () => {
    const parser = new SseParser();
    expect(parser.feed("event: nodes\r")).toEqual([]);
    expect(parser.feed("\ndata: one\r\ndata: two\r\n")).toEqual([]);
    expect(parser.feed("\r\n")).toEqual([{ event: "nodes", data: "one\ntwo" }]);
  });

  it("skips comments (keep-alives) and blank lines between messages", () => {
    const parser = new SseParser();
    expect(parser.feed(": Temporal did not answer; asking again\n\n\n\ndata: x\n\n")).toEqual([
      { event: "message", data: "x" },
    ]);
  });

  it("turns known events into typed ones and drops the rest", () => {
    expect(runEvent({ event: "end", data: '{"outcome":"completed"}' })).toEqual({
      event: "end",
      data: { outcome: "completed" },
    });
    expect(runEvent({ event: "message", data: "{}" })).toBeNull();
    expect(runEvent({ event: "nodes", data: "{not json" })).toBeNull();
  });
});

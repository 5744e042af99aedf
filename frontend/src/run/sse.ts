// Server-sent events read with fetch(), so a request carries the same headers as every other
// call (EventSource cannot send an Authorization header).
import { authorizedFetch } from "../api/auth";
import type { RunEvent } from "./types";

export interface SseMessage {
  event: string;
  data: string;
}

/** Cuts a stream of text into SSE messages; chunks may end anywhere, even inside a line. */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];

  feed(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    let newline = this.buffer.search(/\r\n|\r|\n/);
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      // a lone "\r" at the end may be the first half of "\r\n": wait for the next chunk
      if (width === 1 && this.buffer[newline] === "\r" && newline === this.buffer.length - 1) break;
      this.buffer = this.buffer.slice(newline + width);
      const message = this.line(line);
      if (message) messages.push(message);
      newline = this.buffer.search(/\r\n|\r|\n/);
    }
    return messages;
  }

  private line(line: string): SseMessage | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.event = "";
        return null;
      }
      const message = { event: this.event || "message", data: this.data.join("\n") };
      this.event = "";
      this.data = [];
      return message;
    }
    if (line.startsWith(":")) return null; // a comment: the server's keep-alive
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "event") this.event = value;
    else if (name === "data") this.data.push(value);
    return null;
  }
}

const KNOWN = new Set(["snapshot", "nodes", "end", "error"]);

/** A message as one of the run stream's events; null for one this editor does not know. */
export function runEvent(message: SseMessage): RunEvent | null {
  if (!KNOWN.has(message.event)) return null;
  try {
    return { event: message.event, data: JSON.parse(message.data) } as RunEvent;
  } catch {
    return null;
  }
}

/** The server refused the stream (no such run, no Temporal): opening it again will not help. */
export class StreamRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "StreamRefused";
  }
}

/** Follows `url` until the stream ends or `signal` aborts; each event goes to `onEvent`. */
export async function followStream(
  url: string,
  headers: Record<string, string>,
  onEvent: (event: RunEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  // a 401 asks for the token, as every other call does, and the stream is opened again with it
  const response = await authorizedFetch(url, {
    headers: { ...headers, accept: "text/event-stream" },
    signal,
  });
  if (!response.ok || !response.body) {
    let detail = response.statusText;
    try {
      detail = ((await response.json()) as { detail?: string }).detail ?? detail;
    } catch {
      // not JSON: the status text says enough
    }
    const words = detail || `the server answered ${response.status}`;
    // a 4xx is the server's last word on this run; a 5xx (a proxy, a restart) may pass
    if (response.status >= 400 && response.status < 500) throw new StreamRefused(words, response.status);
    throw new Error(words);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    for (const message of parser.feed(value)) {
      const event = runEvent(message);
      if (event) onEvent(event);
    }
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { answerTokenRequest, authorizedFetch, currentTokenRequest, onTokenRequest, storedToken, storeToken } from "./auth";

/** A server that wants `Bearer s3cret`; it records the Authorization header of each call. */
function server(seen: (string | null)[]) {
  return vi.fn(async (_url: string, init?: RequestInit) => {
    const given = new Headers(init?.headers).get("authorization");
    seen.push(given);
    return new Response(JSON.stringify(given === "Bearer s3cret" ? [] : { detail: "token" }), {
      status: given === "Bearer s3cret" ? 200 : 401,
    });
  });
}

/** Answers the dialog with each of `answers` in turn as it opens. */
function user(answers: (string | null)[]): { asked: boolean[]; stop(): void } {
  const asked: boolean[] = [];
  const stop = onTokenRequest((request) => {
    if (!request) return;
    asked.push(request.refused);
    const answer = answers.shift() ?? null;
    queueMicrotask(() => answerTokenRequest(answer));
  });
  return { asked, stop };
}

describe("authorizedFetch", () => {
  beforeEach(() => {
    const kept = new Map<string, string>();
    vi.stubGlobal("sessionStorage", {
      getItem: (key: string) => kept.get(key) ?? null,
      setItem: (key: string, value: string) => kept.set(key, value),
      removeItem: (key: string) => kept.delete(key),
    });
    storeToken(null);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("asks once for the token, keeps it and sends the waiting calls again", async () => {
    const seen: (string | null)[] = [];
    vi.stubGlobal("fetch", server(seen));
    const { asked, stop } = user(["  s3cret "]);
    const answers = await Promise.all([authorizedFetch("/api/a"), authorizedFetch("/api/b", { method: "POST" })]);
    stop();
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(asked).toEqual([false]); // one question for both calls
    expect(storedToken()).toBe("s3cret");
    expect(seen.filter((header) => header === "Bearer s3cret")).toHaveLength(2);
    expect(currentTokenRequest()).toBeNull();

    // later calls carry it from the start
    seen.length = 0;
    expect((await authorizedFetch("/api/c")).status).toBe(200);
    expect(seen).toEqual(["Bearer s3cret"]);
  });

  it("says when a token was refused, and gives the 401 back when the user cancels", async () => {
    const seen: (string | null)[] = [];
    vi.stubGlobal("fetch", server(seen));
    const { asked, stop } = user(["wrong", null]);
    const answer = await authorizedFetch("/api/a");
    stop();
    expect(answer.status).toBe(401);
    expect(asked).toEqual([false, true]);
    expect(seen).toEqual([null, "Bearer wrong"]);
  });
});

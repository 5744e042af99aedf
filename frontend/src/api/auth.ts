// The API token. A server started with WFD_TOKEN answers 401 to every /api call without
// `Authorization: Bearer <token>`; the editor then asks the user for it (TokenDialog), keeps it
// and sends the call again.
//
// It is kept in sessionStorage, not localStorage: it lives as long as the tab (a reload keeps
// it, closing the tab forgets it), so a token typed on a shared machine does not stay on its
// disk for the next user, and a token changed on the server is asked for again the next time
// the editor is opened. The price is one question per new tab.

const KEY = "wfd.token";

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled by the browser: the token lives in memory only
  }
}

let memory: string | null = null;

export function storedToken(): string | null {
  return storage()?.getItem(KEY) ?? memory;
}

export function storeToken(token: string | null): void {
  memory = token;
  const store = storage();
  if (!store) return;
  if (token === null) store.removeItem(KEY);
  else store.setItem(KEY, token);
}

/** What the dialog shows: `refused` when a token was sent and the server did not take it. */
export interface TokenRequest {
  refused: boolean;
}

type Listener = (request: TokenRequest | null) => void;

let pending: { request: TokenRequest; promise: Promise<string | null>; resolve(token: string | null): void } | null =
  null;
const listeners = new Set<Listener>();

/** The question on screen, if any. */
export function currentTokenRequest(): TokenRequest | null {
  return pending?.request ?? null;
}

export function onTokenRequest(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Asks for the token, once however many calls are waiting for it; null when the user cancels. */
export function askForToken(refused: boolean): Promise<string | null> {
  if (pending) return pending.promise;
  let resolve: (token: string | null) => void = () => undefined;
  const promise = new Promise<string | null>((done) => (resolve = done));
  pending = { request: { refused }, promise, resolve };
  for (const listener of listeners) listener(pending.request);
  return promise;
}

/** The dialog's answer: the token typed, or null (cancelled). */
export function answerTokenRequest(token: string | null): void {
  const answered = pending;
  if (!answered) return;
  pending = null;
  const clean = token?.trim() || null;
  if (clean !== null) storeToken(clean);
  for (const listener of listeners) listener(null);
  answered.resolve(clean);
}

/** The Authorization header for the token kept, if there is one. */
export function authorizationHeader(): Record<string, string> {
  const token = storedToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** fetch() with the token; on a 401 the user is asked for it and the call is sent again. A
 * cancelled question gives the 401 answer back to the caller. */
export async function authorizedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const sent = storedToken();
    const headers = new Headers(init.headers);
    if (sent) headers.set("authorization", `Bearer ${sent}`);
    const response = await fetch(url, { ...init, headers });
    if (response.status !== 401) return response;
    const now = storedToken();
    if (now !== null && now !== sent) continue; // another call was given a token meanwhile
    const token = await askForToken(sent !== null);
    if (token === null) return response;
  }
}

// Asks for the API token when the server answers 401 (it runs with WFD_TOKEN). Every call
// waiting for it is sent again once the user gives it; see api/auth.ts.
import { useState, useSyncExternalStore, type FormEvent } from "react";

import { answerTokenRequest, currentTokenRequest, onTokenRequest } from "../api/auth";
import "./TokenDialog.css";

export function TokenDialog() {
  const request = useSyncExternalStore(onTokenRequest, currentTokenRequest);
  const [token, setToken] = useState("");

  if (!request) return null;

  const answer = (given: string | null) => {
    setToken(""); // the next question starts empty
    answerTokenRequest(given);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) answer(token);
  };

  return (
    <div className="dialog-backdrop">
      <form
        className="dialog token-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="token-title"
        data-testid="token-dialog"
        onSubmit={submit}
        onKeyDown={(event) => {
          if (event.key === "Escape") answer(null);
        }}
      >
        <h2 id="token-title">This server needs its access token</h2>
        <p className="muted">
          It was started with <code>WFD_TOKEN</code>: enter that token to use the editor. It is kept for this tab only
          (closing the tab forgets it).
        </p>
        {request.refused && <p className="error-text">The server did not accept that token. Try again.</p>}
        <label htmlFor="token-input">Token</label>
        <input
          id="token-input"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => answer(null)}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={!token.trim()}>
            Continue
          </button>
        </div>
      </form>
    </div>
  );
}

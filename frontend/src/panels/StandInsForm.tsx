// The Run panel's stand-ins: for this run only, answer a node's activity calls with a result
// or a failure instead of running the activity.
import { X } from "lucide-react";
import { useMemo } from "react";

import { useEditor } from "../editor/context";
import { newStandIn, type StandInMode, type StandInRow, standInNodes } from "../run/standIns";

export function StandInsForm({
  rows,
  errors,
  onChange,
}: {
  rows: StandInRow[];
  /** Node id -> what is wrong with its stand-in. */
  errors: Record<string, string>;
  onChange(rows: StandInRow[]): void;
}) {
  const nodes = useEditor((state) => state.nodes);
  const choices = useMemo(() => standInNodes(nodes), [nodes]);
  const labels = useMemo(() => new Map(choices.map((choice) => [choice.id, choice.label])), [choices]);
  const unused = choices.filter((choice) => !rows.some((row) => row.nodeId === choice.id));
  const edit = (nodeId: string, change: Partial<StandInRow>) =>
    onChange(rows.map((row) => (row.nodeId === nodeId ? { ...row, ...change } : row)));

  if (!choices.length && !rows.length) return null;
  return (
    <div className="run-stand-ins" data-testid="run-stand-ins">
      <div className="field-label">
        <span>Stand-ins</span>
        <span className="muted">answer a node's activity calls in this run</span>
      </div>
      {rows.map((row) => {
        const id = `run-stand-in-${row.nodeId}`;
        return (
          <div key={row.nodeId} className="run-stand-in" data-testid="run-stand-in" data-node-id={row.nodeId}>
            <div className="run-stand-in-head">
              <span className="run-stand-in-node" title={`${labels.get(row.nodeId) ?? row.nodeId} (${row.nodeId})`}>
                {labels.get(row.nodeId) ?? row.nodeId} <code>{row.nodeId}</code>
              </span>
              <select
                aria-label="Stand-in gives"
                value={row.mode}
                onChange={(event) => edit(row.nodeId, { mode: event.target.value as StandInMode })}
              >
                <option value="result">Result</option>
                <option value="error">Failure</option>
              </select>
              <button
                type="button"
                className="icon-button"
                title="Remove the stand-in"
                aria-label={`Remove the stand-in for ${row.nodeId}`}
                onClick={() => onChange(rows.filter((other) => other.nodeId !== row.nodeId))}
              >
                <X size={14} />
              </button>
            </div>
            {row.mode === "result" ? (
              <textarea
                id={`${id}-result`}
                aria-label="Result (JSON)"
                className="text-input mono"
                rows={Math.min(6, Math.max(2, Math.ceil(row.result.length / 40)))}
                value={row.result}
                onChange={(event) => edit(row.nodeId, { result: event.target.value })}
              />
            ) : (
              <>
                <input
                  id={`${id}-message`}
                  className="text-input"
                  placeholder="Failure message"
                  aria-label="Failure message"
                  value={row.message}
                  onChange={(event) => edit(row.nodeId, { message: event.target.value })}
                />
                <input
                  id={`${id}-type`}
                  className="text-input"
                  placeholder="Error type (optional)"
                  aria-label="Error type"
                  value={row.type}
                  onChange={(event) => edit(row.nodeId, { type: event.target.value })}
                />
                <label className="run-stand-in-check">
                  <input
                    id={`${id}-non-retryable`}
                    type="checkbox"
                    checked={row.nonRetryable}
                    onChange={(event) => edit(row.nodeId, { nonRetryable: event.target.checked })}
                  />
                  Non-retryable (fails at once, no retries)
                </label>
              </>
            )}
            {errors[row.nodeId] && (
              <div className="field-problems" data-testid="run-stand-in-error" data-node-id={row.nodeId}>
                {errors[row.nodeId]}
              </div>
            )}
          </div>
        );
      })}
      {unused.length > 0 && (
        <select
          className="run-stand-in-add"
          aria-label="Add a stand-in"
          data-testid="run-stand-in-add"
          value=""
          onChange={(event) => {
            if (event.target.value) onChange([...rows, newStandIn(event.target.value)]);
          }}
        >
          <option value="">Add a stand-in for…</option>
          {unused.map((choice) => (
            <option key={choice.id} value={choice.id}>
              {choice.label} ({choice.id})
            </option>
          ))}
        </select>
      )}
    </div>
  );
}

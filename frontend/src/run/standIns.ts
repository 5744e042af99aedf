// Stand-ins of a test run: rows of the Run panel's start form as the start request's
// `stand_ins` (node id -> a result or a failure its activity calls answer with), and back.

/** The node kinds whose calls a stand-in can answer: those that call an activity. */
export const STAND_IN_KINDS: ReadonlySet<string> = new Set(["activity", "agent"]);

export interface StandInNode {
  id: string;
  label: string;
}

export type StandInMode = "result" | "error";

/** One stand-in as the form holds it: texts as typed. */
export interface StandInRow {
  nodeId: string;
  mode: StandInMode;
  /** JSON text of the result. */
  result: string;
  message: string;
  type: string;
  nonRetryable: boolean;
}

export type StandIn =
  | { result: unknown }
  | { error: { message: string; type?: string; non_retryable: boolean } };

export interface ReadStandIns {
  value: Record<string, StandIn>;
  /** Node id -> what is wrong with its row. */
  errors: Record<string, string>;
}

/** The workflow's nodes a stand-in can be given for, by label. */
export function standInNodes(nodes: readonly { id: string; data: { kind: string; label: string } }[]): StandInNode[] {
  return nodes
    .filter((node) => STAND_IN_KINDS.has(node.data.kind))
    .map((node) => ({ id: node.id, label: node.data.label || node.id }))
    .sort((a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id));
}

export function newStandIn(nodeId: string): StandInRow {
  return { nodeId, mode: "result", result: "null", message: "", type: "", nonRetryable: false };
}

/** The rows as the request's `stand_ins`; a row that cannot be sent is an error of its node. */
export function readStandIns(rows: readonly StandInRow[]): ReadStandIns {
  const value: Record<string, StandIn> = {};
  const errors: Record<string, string> = {};
  for (const row of rows) {
    if (row.mode === "result") {
      try {
        value[row.nodeId] = { result: JSON.parse(row.result) };
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        errors[row.nodeId] = `the result is not JSON (${why}): write a value such as {"ok": true}, "text" or null`;
      }
      continue;
    }
    const message = row.message.trim();
    if (!message) {
      errors[row.nodeId] = "a failure needs a message";
      continue;
    }
    const type = row.type.trim();
    value[row.nodeId] = { error: { message, ...(type ? { type } : {}), non_retryable: row.nonRetryable } };
  }
  return { value, errors };
}

/**
 * A 422's field errors under `stand_ins.` (`<node id>` or `<node id>.result`, `<node id>.error.type`, ...)
 * by the node of the row they name; a field naming no row is left out.
 */
export function standInErrors(byField: Record<string, string>, nodeIds: readonly string[]): Record<string, string> {
  const longestFirst = [...nodeIds].sort((a, b) => b.length - a.length);
  const found: Record<string, string> = {};
  for (const [field, message] of Object.entries(byField)) {
    const nodeId = longestFirst.find((id) => field === id || field.startsWith(`${id}.`));
    if (nodeId !== undefined) found[nodeId] = found[nodeId] ? `${found[nodeId]}; ${message}` : message;
  }
  return found;
}

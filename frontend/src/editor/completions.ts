// What an expression or template field can complete: the names in scope at its node (from the
// validate answer, where the compiler's scope check lists them with their types) and, after
// `name.`, the fields of the name's record type.
import type * as Api from "../api/gen/types.gen";

export type Completions = Api.CompletionsPublic;

/** The names one field sees, their types, and what follows a record's `.`. */
export interface CompletionScope {
  names: ReadonlyMap<string, string>;
  records: Completions["records"];
  functions: readonly string[];
}

export interface Suggestion {
  label: string;
  /** The value's type, or `function`. */
  detail: string;
}

/** Suggestions for the word ending at the caret: accepting one replaces `from`..`to`. */
export interface Suggestions {
  from: number;
  to: number;
  items: Suggestion[];
}

export type CompletableFormat = "expression" | "template";

const MAX_ITEMS = 50;
const resolved = new WeakMap<Completions, Map<number, ReadonlyMap<string, string>>>();

/** The names of scope `index`, its chain of differences applied (each scope is stored as what
 * it adds to, and drops from, another). */
function scopeNames(completions: Completions, index: number): ReadonlyMap<string, string> {
  let cache = resolved.get(completions);
  if (!cache) {
    cache = new Map();
    resolved.set(completions, cache);
  }
  const chain: number[] = [];
  let base: ReadonlyMap<string, string> = new Map();
  for (let at = index; at >= 0 && chain.length <= completions.scopes.length; ) {
    const known = cache.get(at);
    if (known) {
      base = known;
      break;
    }
    chain.push(at);
    at = completions.scopes[at]?.base ?? -1;
  }
  let names = base;
  for (const at of chain.reverse()) {
    const entry = completions.scopes[at];
    if (!entry) break;
    const next = new Map(names);
    for (const name of entry.drop) next.delete(name);
    for (const [name, type] of Object.entries(entry.add)) next.set(name, type);
    cache.set(at, next);
    names = next;
  }
  return names;
}

/** What the field at `path` (relative to the node's config: `until`, `args.host`) of a node
 * sees; null when the node is in no scope the compiler checked (not connected yet). */
export function scopeAt(
  completions: Completions | null,
  workflowId: string,
  nodeId: string,
  path: string,
): CompletionScope | null {
  const places = completions?.workflows[workflowId];
  const nodeIndex = places?.nodes[nodeId];
  if (!completions || !places || nodeIndex === undefined) return null;
  const field = `config.${path}`;
  let index = nodeIndex;
  let longest = -1;
  for (const [prefix, at] of Object.entries(places.fields[nodeId] ?? {})) {
    if ((field === prefix || field.startsWith(`${prefix}.`)) && prefix.length > longest) {
      index = at;
      longest = prefix.length;
    }
  }
  return { names: scopeNames(completions, index), records: completions.records, functions: completions.functions };
}

/** What the workflow's settings (its id template) see: the input alone. */
export function settingsScope(completions: Completions | null, workflowId: string): CompletionScope | null {
  const index = completions?.workflows[workflowId]?.settings;
  if (!completions || index === undefined || index < 0) return null;
  return { names: scopeNames(completions, index), records: completions.records, functions: completions.functions };
}

/** The record a type names, through `| None` (an optional record still completes). */
function recordOf(type: string | undefined, records: Completions["records"]): Record<string, string> | null {
  if (!type) return null;
  const name = type.replace(/\s*\|\s*None$/, "").replace(/^Optional\[(.*)\]$/, "$1").trim();
  return records[name] ?? null;
}

/** The expression part of the text before the caret: all of an expression; in a template, what
 * follows the last `{` not yet closed (none outside braces). */
function expressionBefore(text: string, caret: number, format: CompletableFormat): string | null {
  const before = text.slice(0, caret);
  if (format === "expression") return before;
  const open = before.lastIndexOf("{");
  if (open < 0 || before.indexOf("}", open) >= 0) return null;
  return before.slice(open + 1);
}

function insideString(code: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < code.length; i += 1) {
    const char = code[i];
    if (char === "\\") i += 1;
    else if (quote === null && (char === "'" || char === '"')) quote = char;
    else if (char === quote) quote = null;
  }
  return quote !== null;
}

/**
 * What to offer at the caret: names in scope (and the functions) matching the word being typed,
 * or after `a.b.` the fields of b's record. Null when there is nothing to offer; with `forced`
 * (Ctrl+Space) an empty word offers every name.
 */
export function suggest(
  text: string,
  caret: number,
  format: CompletableFormat,
  scope: CompletionScope,
  forced = false,
): Suggestions | null {
  const code = expressionBefore(text, caret, format);
  if (code === null || insideString(code)) return null;
  const match = /((?:[A-Za-z_]\w*\s*\.\s*)+)?([A-Za-z_]\w*)?$/.exec(code);
  if (!match) return null;
  const [whole, path, word = ""] = match;
  const start = caret - whole.length;
  // a digit or a closing bracket before it: `1.5`, `f(x).y` are not names we can follow
  if (start > 0 && /[\w)\]'"]/.test(text.charAt(start - 1))) return null;
  const lower = word.toLowerCase();
  let items: Suggestion[];
  if (path) {
    const [first = "", ...attributes] = path.split(".").map((part) => part.trim()).filter(Boolean);
    let record = recordOf(scope.names.get(first), scope.records);
    for (const attribute of attributes) record = record ? recordOf(record[attribute], scope.records) : null;
    if (!record) return null;
    items = Object.entries(record).map(([label, detail]) => ({ label, detail }));
  } else {
    if (!word && !forced) return null;
    items = [
      ...[...scope.names].map(([label, detail]) => ({ label, detail })),
      ...scope.functions.map((label) => ({ label, detail: "function" })),
    ];
  }
  const found = items
    .filter((item) => item.label.toLowerCase().startsWith(lower))
    .sort((a, b) => Number(a.detail === "function") - Number(b.detail === "function") || a.label.localeCompare(b.label))
    .slice(0, MAX_ITEMS);
  if (!found.length) return null;
  return { from: caret - word.length, to: caret, items: found };
}

/** The text with a suggestion accepted, and where the caret goes (after it). */
export function accept(text: string, suggestions: Suggestions, item: Suggestion): { value: string; caret: number } {
  const value = text.slice(0, suggestions.from) + item.label + text.slice(suggestions.to);
  return { value, caret: suggestions.from + item.label.length };
}

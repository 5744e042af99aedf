// Typed fields (a workflow's input, a signal's or an update's payload) as form texts and back.
import type { DocNode, Fields, TypeDef } from "../api/types";
import { type Choice, literalChoices } from "../document/typerefs";

export type FieldKind = "text" | "integer" | "number" | "bool" | "choice" | "json";

export function fieldKind(type: string): FieldKind {
  if (literalChoices(type)) return "choice";
  const bare = type.replace(/\s*\|\s*None$/, "").trim();
  if (bare === "str" || bare === "datetime") return "text";
  if (bare === "int") return "integer";
  if (bare === "float") return "number";
  if (bare === "bool") return "bool";
  return "json";
}

/** The project's types, as far as the forms read them: their fields. */
type TypeFields = Record<string, Pick<TypeDef, "fields">>;

/** A value of `type` a form starts from when the workflow gives no default. */
export function emptyValue(type: string, types: TypeFields, depth = 0): unknown {
  const trimmed = type.trim();
  if (/\|\s*None$/.test(trimmed)) return null;
  const choices = literalChoices(trimmed);
  if (choices) return choices[0];
  if (trimmed === "str") return "";
  if (trimmed === "int" || trimmed === "float") return 0;
  if (trimmed === "bool") return false;
  if (trimmed === "datetime") return new Date(0).toISOString();
  if (trimmed.startsWith("list[")) return [];
  if (trimmed.startsWith("dict[")) return {};
  const named = types[trimmed];
  if (named && depth < 4) {
    return Object.fromEntries(
      Object.entries(named.fields).map(([name, inner]) => [name, emptyValue(inner, types, depth + 1)]),
    );
  }
  return null;
}

export function toText(value: unknown, type: string): string {
  const kind = fieldKind(type);
  if (kind === "text" || kind === "choice") return value === null || value === undefined ? "" : String(value);
  if (kind === "integer" || kind === "number") return value === null || value === undefined ? "" : String(value);
  if (kind === "bool") return value ? "true" : "false";
  return JSON.stringify(value ?? null, null, 1).replace(/\n\s*/g, " ");
}

/** Each field's text to start from: the workflow's default, else an empty value of its type. */
export function initialTexts(
  fields: Fields,
  defaults: Record<string, unknown> | undefined,
  types: TypeFields,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, type]) => [
      name,
      toText(defaults && name in defaults ? defaults[name] : emptyValue(type, types), type),
    ]),
  );
}

export interface ReadFields {
  value: Record<string, unknown>;
  /** Field name -> what is wrong with its text. */
  errors: Record<string, string>;
}

/** The texts as typed values; a text that is not one of its type is an error of its field. */
export function readFields(fields: Fields, texts: Record<string, string>): ReadFields {
  const value: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [name, type] of Object.entries(fields)) {
    const text = texts[name] ?? "";
    const optional = /\|\s*None$/.test(type.trim());
    switch (fieldKind(type)) {
      case "text":
        value[name] = optional && text === "" ? null : text;
        break;
      case "integer":
      case "number": {
        if (text.trim() === "" && optional) {
          value[name] = null;
          break;
        }
        const number = Number(text);
        if (text.trim() === "" || Number.isNaN(number)) errors[name] = `a number is needed (${type})`;
        else if (fieldKind(type) === "integer" && !Number.isInteger(number)) errors[name] = "a whole number is needed";
        else value[name] = number;
        break;
      }
      case "bool":
        value[name] = text === "true";
        break;
      case "choice": {
        const choices = literalChoices(type) ?? [];
        const chosen = choices.find((choice) => String(choice) === text);
        if (chosen !== undefined) value[name] = chosen;
        else if (optional && text === "") value[name] = null;
        else errors[name] = `choose one of ${choices.map(shownChoice).join(", ")}`;
        break;
      }
      default:
        try {
          value[name] = JSON.parse(text);
        } catch {
          errors[name] = `not JSON: write a value of type ${type}`;
        }
    }
  }
  return { value, errors };
}

/** A choice as the compiler's messages write it: `'draft'`, `2`. */
export function shownChoice(choice: Choice): string {
  return typeof choice === "string" ? `'${choice}'` : String(choice);
}

export interface Handler {
  kind: "signal" | "update" | "query";
  name: string;
  params: Fields;
  nodeId: string;
}

/** The workflow's signals, updates and queries, as its handler nodes declare them. */
export function handlersOf(workflow: { nodes: Pick<DocNode, "id" | "type" | "config">[] }): Handler[] {
  const found: Handler[] = [];
  for (const node of workflow.nodes) {
    if (node.type !== "signal" && node.type !== "update" && node.type !== "query") continue;
    const name = node.config.name;
    if (typeof name !== "string" || !name) continue;
    const params = (node.config.params ?? {}) as Fields;
    found.push({ kind: node.type, name, params: node.type === "query" ? {} : params, nodeId: node.id });
  }
  return found.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

export type Decision = "approve" | "reject";

/** The signal or update that approves, and the one that rejects, judged by their names. */
export function gateDecisions(handlers: Handler[]): Partial<Record<Decision, Handler>> {
  const pick = (pattern: RegExp) =>
    handlers.find((handler) => handler.kind === "signal" && pattern.test(handler.name)) ??
    handlers.find((handler) => handler.kind === "update" && pattern.test(handler.name));
  return { approve: pick(/approv|accept|allow/i), reject: pick(/reject|deny|declin/i) };
}

/** The gate's name as the `pending_gates` query shows it. */
export function gateName(node: Pick<DocNode, "id" | "label" | "config">): string {
  const gate = node.config.gate;
  return typeof gate === "string" && gate ? gate : node.label || node.id;
}

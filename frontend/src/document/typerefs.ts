// What the editor reads from a type as the document writes it (`Literal['draft', 'done']`): the
// compiler checks the type itself (compiler/typerefs.py); a form only needs a Literal's choices.

export type Choice = string | number;

/** Shapes the type fields suggest beside the scalar and project types, to be edited. */
export const TYPE_EXAMPLES = ["Literal['draft', 'done']"];

const OPTIONAL = /\|\s*None\s*$/;

/** Whether the type takes None (`T | None`). */
export function isOptional(type: string): boolean {
  return OPTIONAL.test(type.trim());
}

/** The values of a `Literal[...]` (or `Literal[...] | None`), or null for any other type. */
export function literalChoices(type: string): Choice[] | null {
  const bare = type.trim().replace(OPTIONAL, "").trim();
  const match = /^Literal\s*\[(.*)\]$/s.exec(bare);
  if (!match?.[1]) return null;
  const choices: Choice[] = [];
  let rest = match[1].trim();
  while (rest) {
    const item = /^(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(-?\d+))\s*(?:,\s*|$)/s.exec(rest);
    if (!item) return null;
    const [whole, single, double, number] = item;
    choices.push(number !== undefined ? Number(number) : unescape(single ?? double ?? ""));
    rest = rest.slice(whole.length);
  }
  return choices.length ? choices : null;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };

function unescape(text: string): string {
  return text.replace(/\\(.)/gs, (whole, char: string) => ESCAPES[char] ?? whole);
}

/** The types a picker offers by name, before the project's own. */
export const PRIMITIVE_TYPES = ["str", "int", "float", "bool", "datetime", "Any"];

/** The types a type's text field suggests before the project's own: no `None`, which is no
 * type a field can hold (an output of nothing is picked as such, and left out). */
export const TYPE_SUGGESTIONS = [...PRIMITIVE_TYPES, ...TYPE_EXAMPLES];

/** A type the picker can show: a named type (a primitive or a project type), a list or a dict
 * of one, possibly optional; `nothing` is no value at all (`None`, an output left empty). */
export type TypeShape =
  | { kind: "nothing" }
  | { kind: "named" | "list" | "dict"; name: string; optional: boolean };

/** The shape of a written type, or null when the picker cannot show it (a Literal, a nested
 * list, an unknown name): such a type is edited as text. */
export function typeShape(text: string, names: readonly string[]): TypeShape | null {
  let rest = text.trim();
  if (rest === "" || rest === "None") return { kind: "nothing" };
  const optional = isOptional(rest);
  rest = rest.replace(OPTIONAL, "").trim();
  const known = (name: string) => (names.includes(name) ? name : null);
  const list = /^list\s*\[\s*([A-Za-z_]\w*)\s*\]$/.exec(rest);
  const dict = /^dict\s*\[\s*str\s*,\s*([A-Za-z_]\w*)\s*\]$/.exec(rest);
  const name = list?.[1] ?? dict?.[1] ?? rest;
  if (!known(name)) return null;
  return { kind: list ? "list" : dict ? "dict" : "named", name, optional };
}

/** The type a shape writes: `list[Item] | None`; nothing writes no text, so the field is left
 * out of the document (older documents wrote `None` for it, which still reads as nothing). */
export function typeText(shape: TypeShape): string {
  if (shape.kind === "nothing") return "";
  const base = shape.kind === "list" ? `list[${shape.name}]` : shape.kind === "dict" ? `dict[str, ${shape.name}]` : shape.name;
  return shape.optional ? `${base} | None` : base;
}

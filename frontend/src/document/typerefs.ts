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

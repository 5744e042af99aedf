// A type reference picked rather than typed: a primitive or a project type, a list or a dict of
// one, optional or not, or (for an output) nothing at all. The type's text stays editable below
// the picker, for what it cannot show (a Literal, a nested list) or for those who type faster.
import { memo, useRef, useState } from "react";

import { PRIMITIVE_TYPES, typeShape, typeText, type TypeShape } from "../document/typerefs";

interface Props {
  id: string;
  /** The field's accessible name, also the start of its parts' names. */
  label: string;
  /** Whether the input is named by a <label> beside it rather than by `label`. */
  labelled: boolean;
  value: string;
  onChange(text: string): void;
  /** Project types, offered after the primitives. */
  projectTypes: readonly string[];
  /** An output: "nothing (no value)" is offered, written as no text (the field left out), and
   * the field never shows the text `None` (what older documents wrote for nothing). */
  allowsNothing: boolean;
  invalid: boolean;
}

const NOTHING_LABEL = "nothing (no value)";

function choiceOf(shape: TypeShape | null): string {
  if (!shape) return "other";
  if (shape.kind === "nothing") return "nothing";
  return shape.kind === "named" ? `type:${shape.name}` : shape.kind;
}

export const TypeField = memo(function TypeField({
  id,
  label,
  labelled,
  value,
  onChange,
  projectTypes,
  allowsNothing,
  invalid,
}: Props) {
  const text = useRef<HTMLInputElement>(null);
  const [typing, setTyping] = useState(false);
  const names = [...PRIMITIVE_TYPES, ...projectTypes.filter((name) => !PRIMITIVE_TYPES.includes(name))];
  let shape = typeShape(value, names);
  if (shape?.kind === "nothing" && !allowsNothing && value.trim() === "") shape = null;
  const choice = typing ? "other" : choiceOf(shape);
  const optional = shape !== null && shape.kind !== "nothing" && shape.optional;
  const element = shape && shape.kind !== "nothing" ? shape.name : "str";
  const write = (next: TypeShape) => onChange(typeText(next));

  const pick = (picked: string) => {
    setTyping(picked === "other");
    if (picked === "other") {
      text.current?.focus();
      return;
    }
    if (picked === "nothing") write({ kind: "nothing" });
    else if (picked === "list" || picked === "dict") write({ kind: picked, name: element, optional });
    else write({ kind: "named", name: picked.slice("type:".length), optional });
  };
  const shown = allowsNothing && value.trim() === "None" ? "" : value;

  return (
    <div className="type-field" data-testid="type-picker">
      <div className="type-field-picker">
        <select aria-label={`${label}: type`} value={choice} onChange={(event) => pick(event.target.value)}>
          {allowsNothing && <option value="nothing">{NOTHING_LABEL}</option>}
          <optgroup label="Types">
            {PRIMITIVE_TYPES.map((name) => (
              <option key={name} value={`type:${name}`}>
                {name}
              </option>
            ))}
          </optgroup>
          {projectTypes.length > 0 && (
            <optgroup label="Project types">
              {projectTypes.map((name) => (
                <option key={name} value={`type:${name}`}>
                  {name}
                </option>
              ))}
            </optgroup>
          )}
          <optgroup label="Collections">
            <option value="list">list of …</option>
            <option value="dict">dict of …</option>
          </optgroup>
          <option value="other">other (typed below)</option>
        </select>
        {shape && (shape.kind === "list" || shape.kind === "dict") && (
          <select
            aria-label={`${label}: ${shape.kind === "list" ? "item" : "value"} type`}
            value={shape.name}
            onChange={(event) => write({ ...shape, name: event.target.value })}
          >
            {names.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
        {shape && shape.kind !== "nothing" && (
          <label className="type-field-optional">
            <input
              type="checkbox"
              aria-label={`${label}: optional`}
              checked={optional}
              onChange={(event) => write({ ...shape, optional: event.target.checked })}
            />
            optional
          </label>
        )}
      </div>
      <input
        ref={text}
        id={id}
        type="text"
        className={invalid ? "invalid type-field-text" : "type-field-text"}
        aria-label={labelled ? undefined : label}
        spellCheck={false}
        autoComplete="off"
        value={shown}
        placeholder={allowsNothing ? NOTHING_LABEL : "str, list[Item], Item | None"}
        onChange={(event) => onChange(event.target.value)}
        onBlur={() => setTyping(false)}
      />
    </div>
  );
});

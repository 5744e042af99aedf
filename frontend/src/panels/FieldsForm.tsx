// A typed form: one input per field of a workflow's input or a handler's payload, drawn by the
// field's type (a checkbox, a number, text, a choice among a Literal's values, or JSON).
import type { Fields } from "../api/types";
import { isOptional, literalChoices } from "../document/typerefs";
import { fieldKind } from "../run/fields";

interface FieldInputProps {
  id: string;
  type: string;
  text: string;
  onChange(text: string): void;
}

function FieldInput({ id, type, text, onChange }: FieldInputProps) {
  const kind = fieldKind(type);
  if (kind === "bool") {
    return (
      <input
        id={id}
        type="checkbox"
        checked={text === "true"}
        onChange={(event) => onChange(event.target.checked ? "true" : "false")}
      />
    );
  }
  if (kind === "choice") {
    const choices = literalChoices(type) ?? [];
    const known = choices.some((choice) => String(choice) === text);
    return (
      <select id={id} className="text-input" value={text} onChange={(event) => onChange(event.target.value)}>
        {(isOptional(type) || !known) && <option value="">{isOptional(type) ? "— None" : "— choose"}</option>}
        {choices.map((choice) => (
          <option key={String(choice)} value={String(choice)}>
            {String(choice)}
          </option>
        ))}
      </select>
    );
  }
  if (kind === "json") {
    return (
      <textarea
        id={id}
        className="text-input mono"
        rows={Math.min(6, Math.max(2, Math.ceil(text.length / 40)))}
        value={text}
        onChange={(event) => onChange(event.target.value)}
      />
    );
  }
  return (
    <input
      id={id}
      className="text-input"
      type={kind === "text" ? "text" : "number"}
      step={kind === "integer" ? 1 : "any"}
      value={text}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

export function FieldsForm({
  fields,
  texts,
  errors,
  idPrefix,
  onChange,
}: {
  fields: Fields;
  texts: Record<string, string>;
  errors: Record<string, string>;
  idPrefix: string;
  onChange(name: string, text: string): void;
}) {
  return (
    <>
      {Object.entries(fields).map(([name, type]) => {
        const id = `${idPrefix}-${name}`;
        return (
          <div key={name} className="field run-field">
            <div className="field-label">
              <label htmlFor={id}>{name}</label>
              <code className="field-type">{type}</code>
            </div>
            <FieldInput id={id} type={type} text={texts[name] ?? ""} onChange={(text) => onChange(name, text)} />
            {errors[name] && (
              <div className="field-problems" data-testid="run-field-error" data-field={name}>
                {errors[name]}
              </div>
            )}
          </div>
        );
      })}
    </>
  );
}

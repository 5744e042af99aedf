// A form drawn from a JSON Schema (a node kind's config, or a part of the project document).
// Strings marked `format: expression|template|duration|identifier` become code inputs; dicts,
// lists, optional sub-objects and tagged unions each get one generic editor.
import { Plus, X } from "lucide-react";
import { memo, useState } from "react";

import type { Diagnostic, JsonSchema } from "../api/types";
import type { Choice } from "../document/typerefs";
import type { CompletionScope } from "../editor/completions";
import { CodeInput, type CodeFormat } from "./CodeInput";
import { TypeField } from "./TypeField";

/** What the form knows beyond the schema: names to suggest and problems to show. */
export interface FormContext {
  root: JsonSchema;
  /** Diagnostics keyed by field path relative to the form's value, e.g. `args.name`. */
  problems: Map<string, Diagnostic[]>;
  /** Values to offer in a text field, by field name (`activity`, `workflow`, `output`...). */
  suggestions(name: string): string[] | undefined;
  /** Keys a dict should show even while they are missing, e.g. an activity's input fields. */
  expectedKeys(path: string, parent: Record<string, unknown>): string[] | undefined;
  /** A format that the schema does not state, e.g. `settings.id_template` -> template. */
  formatOf?(path: string): CodeFormat | undefined;
  /** The only values a field may take, where its type says so (a default of a Literal field). */
  choicesOf?(path: string, parent: Record<string, unknown>): Choice[] | undefined;
  /** The project's own types, offered by the type pickers after the primitives. */
  projectTypes?: string[];
  /** The names an expression or template field can complete, by its path. */
  completionAt?(path: string): CompletionScope | null;
  idPrefix: string;
}

type Value = unknown;
type Obj = Record<string, unknown>;

const CODE_FORMATS = new Set(["expression", "template", "duration", "identifier"]);

export function humanize(key: string): string {
  const words = key.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; current.$ref && depth < 10; depth += 1) {
    const name = current.$ref.split("/").pop() ?? "";
    const target = root.$defs?.[name];
    if (!target) break;
    current = { ...target, ...current, $ref: undefined };
  }
  return current;
}

/** `anyOf: [X, null]` -> X, nullable. */
function unwrapNullable(schema: JsonSchema, root: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const resolved = resolve(schema, root);
  if (resolved.anyOf) {
    const variants = resolved.anyOf.filter((variant) => variant.type !== "null");
    const nullable = variants.length < resolved.anyOf.length;
    if (variants.length === 1 && variants[0]) {
      const inner = resolve(variants[0], root);
      return {
        schema: { ...inner, description: resolved.description ?? inner.description, default: resolved.default },
        nullable,
      };
    }
  }
  return { schema: resolved, nullable: false };
}

const isObj = (value: Value): value is Obj =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function emptyValue(schema: JsonSchema, root: JsonSchema): Value {
  const resolved = unwrapNullable(schema, root).schema;
  if (resolved.default !== undefined && resolved.default !== null) return structuredClone(resolved.default);
  if (resolved.oneOf?.[0]) return emptyValue(resolved.oneOf[0], root);
  switch (resolved.type) {
    case "object": {
      const value: Obj = {};
      for (const name of resolved.required ?? []) {
        const property = resolved.properties?.[name];
        if (property) value[name] = emptyValue(property, root);
      }
      for (const [name, property] of Object.entries(resolved.properties ?? {})) {
        if (property.const !== undefined) value[name] = property.const;
      }
      return value;
    }
    case "array":
      return [];
    case "integer":
    case "number":
      return resolved.minimum ?? 0;
    case "boolean":
      return false;
    case "string":
      return "";
    default:
      return null;
  }
}

interface FieldProps {
  name: string;
  path: string;
  /** The input's accessible name where no label is drawn beside it (a dict's value, a list's
   * item); a field in a row is named by the row's label. */
  label?: string;
  schema: JsonSchema;
  value: Value;
  required: boolean;
  parent: Obj;
  onChange(value: Value): void;
  context: FormContext;
}

function Problems({ path, context }: { path: string; context: FormContext }) {
  const problems = context.problems.get(path);
  if (!problems?.length) return null;
  return (
    <ul className="field-problems">
      {problems.map((problem, index) => (
        <li key={index} className={problem.severity}>
          {problem.message}
        </li>
      ))}
    </ul>
  );
}

function TextField({ name, path, label, schema, value, required, onChange, context }: FieldProps) {
  const format = (context.formatOf?.(path) ??
    (schema.format && CODE_FORMATS.has(schema.format) ? schema.format : undefined)) as
    | CodeFormat
    | undefined;
  const text = typeof value === "string" ? value : "";
  const id = `${context.idPrefix}-${path}`;
  const set = (next: string) => onChange(next === "" && !required ? undefined : next);
  if (schema.enum) {
    return (
      <select id={id} aria-label={label} value={text} onChange={(event) => set(event.target.value)}>
        {!required && <option value="">—</option>}
        {schema.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  }
  if (schema.format === "typeref") {
    // a type that may be nothing (an output, whose default is null; an update's return type,
    // whose default is `None`): nothing is left out of the document, never written `None`
    const allowsNothing = schema.default === null || schema.default === "None";
    return (
      <TypeField
        id={id}
        label={label ?? humanize(name)}
        labelled={label === undefined}
        value={text}
        onChange={(next) => (allowsNothing && next.trim() === "" ? onChange(undefined) : set(next))}
        projectTypes={context.projectTypes ?? []}
        allowsNothing={allowsNothing}
        invalid={context.problems.has(path)}
      />
    );
  }
  if (format) {
    return (
      <CodeInput
        id={id}
        ariaLabel={label ?? humanize(name)}
        value={text}
        format={format}
        onChange={set}
        invalid={context.problems.has(path)}
        completion={context.completionAt?.(path)}
        placeholder={schema.default != null ? String(schema.default) : placeholderFor(format)}
      />
    );
  }
  const options = context.suggestions(name);
  return (
    <>
      <input
        id={id}
        type="text"
        aria-label={label}
        value={text}
        list={options ? `${id}-options` : undefined}
        placeholder={schema.default != null ? String(schema.default) : ""}
        className={context.problems.has(path) ? "invalid" : undefined}
        onChange={(event) => set(event.target.value)}
      />
      {options && (
        <datalist id={`${id}-options`}>
          {options.map((option) => (
            <option key={option} value={option} />
          ))}
        </datalist>
      )}
    </>
  );
}

function placeholderFor(format: CodeFormat): string {
  switch (format) {
    case "expression":
      return "input.name";
    case "template":
      return "text with {expressions}";
    case "duration":
      return "30s, 5m, 1h";
    case "identifier":
      return "name";
    default:
      return "";
  }
}

function NumberField({ path, label, schema, value, required, onChange, context }: FieldProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? (typeof value === "number" ? String(value) : "");
  return (
    <input
      id={`${context.idPrefix}-${path}`}
      type="number"
      aria-label={label}
      value={shown}
      min={schema.minimum}
      max={schema.maximum}
      step={schema.type === "integer" ? 1 : "any"}
      placeholder={schema.default != null ? String(schema.default) : ""}
      onChange={(event) => {
        const text = event.target.value;
        setDraft(text);
        if (text === "") onChange(required ? (schema.minimum ?? 0) : undefined);
        else if (Number.isFinite(Number(text))) onChange(Number(text));
      }}
      onBlur={() => setDraft(null)}
    />
  );
}

function JsonField({ path, label, value, onChange, context }: FieldProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const text = draft ?? (value === undefined ? "" : JSON.stringify(value));
  let invalid = false;
  if (draft !== null && draft.trim() !== "") {
    try {
      JSON.parse(draft);
    } catch {
      invalid = true;
    }
  }
  return (
    <>
      <CodeInput
        id={`${context.idPrefix}-${path}`}
        ariaLabel={label}
        value={text}
        format="json"
        invalid={invalid}
        placeholder="JSON, e.g. {&quot;ok&quot;: true}"
        onChange={(next) => {
          setDraft(next);
          if (next.trim() === "") onChange(undefined);
          else {
            try {
              onChange(JSON.parse(next));
            } catch {
              // keep the draft until it parses
            }
          }
        }}
      />
      {invalid && <p className="field-hint error">Not valid JSON yet.</p>}
    </>
  );
}

/** One of a few values, each kept as it is (text or a number): a Literal field's default. */
function ChoiceField({ path, label, value, required, onChange, context, choices }: FieldProps & { choices: Choice[] }) {
  const current = choices.findIndex((choice) => choice === value);
  return (
    <select
      id={`${context.idPrefix}-${path}`}
      aria-label={label}
      value={current < 0 ? "" : String(current)}
      onChange={(event) => onChange(event.target.value === "" ? undefined : choices[Number(event.target.value)])}
    >
      {(!required || current < 0) && <option value="">—</option>}
      {choices.map((choice, index) => (
        <option key={index} value={String(index)}>
          {String(choice)}
        </option>
      ))}
    </select>
  );
}

/** A dict's row: its key now, and the React key it keeps while that key is renamed. */
export interface DictRow {
  id: string;
  key: string;
}

/**
 * The rows for `keys`: a key that already has a row keeps it (its React key and its place),
 * a new key gets a row at the end. A row keyed as before keeps its inputs, so the field being
 * typed into keeps its focus, its caret and its draft. `rows` itself when nothing changed.
 */
export function keepRows(rows: DictRow[], keys: string[]): DictRow[] {
  const wanted = new Set(keys);
  const placed = new Set<string>();
  const kept = rows.filter((row) => {
    if (!wanted.has(row.key) || placed.has(row.key)) return false;
    placed.add(row.key);
    return true;
  });
  const ids = new Set(kept.map((row) => row.id));
  for (const key of keys) {
    if (placed.has(key)) continue;
    placed.add(key);
    let id = key;
    for (let n = 2; ids.has(id); n += 1) id = `${key}#${n}`;
    ids.add(id);
    kept.push({ id, key });
  }
  const same = kept.length === rows.length && kept.every((row, i) => row === rows[i]);
  return same ? rows : kept;
}

/** A dict's key, renamed as it is typed; a name another entry has is kept here, not written. */
function KeyInput({ label, value, taken, onRename }: {
  label: string;
  value: string;
  taken(name: string): boolean;
  onRename(name: string): void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const clash = draft !== null && draft !== value;
  return (
    <input
      type="text"
      className={clash ? "dict-key invalid" : "dict-key"}
      aria-label={label}
      aria-invalid={clash || undefined}
      title={clash ? `Another entry is named ${draft}` : undefined}
      value={draft ?? value}
      onChange={(event) => {
        const name = event.target.value;
        if (name !== value && taken(name)) {
          setDraft(name);
        } else {
          setDraft(null);
          if (name !== value) onRename(name);
        }
      }}
      onBlur={() => setDraft(null)}
    />
  );
}

/**
 * Key/value rows, with a row offered for each key the dict should have (an activity's input
 * fields) while it is missing. Each row keeps its place and its inputs when it gets a value or
 * its key is renamed: typing never moves or re-creates the field being typed into.
 */
function DictField({ name, path, schema, value, parent, onChange, context }: FieldProps) {
  const object = isObj(value) ? value : {};
  const entries = Object.entries(object);
  const valueSchema =
    (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined) ??
    Object.values(schema.patternProperties ?? {})[0] ??
    {};
  const expected = context.expectedKeys(path, parent) ?? [];
  const present = new Set(entries.map(([key]) => key));
  // the keys offered first, in their own order, then the others as the dict has them
  const keys = [...expected, ...entries.map(([key]) => key).filter((key) => !expected.includes(key))];
  const [rememberedRows, setRows] = useState<DictRow[]>(() => keepRows([], keys));
  const rows = keepRows(rememberedRows, keys);
  if (rows !== rememberedRows) setRows(rows);
  const write = (next: [string, Value][]) =>
    onChange(Object.fromEntries(next.filter(([, item]) => item !== undefined)));
  const resolved = unwrapNullable(valueSchema, context.root).schema;
  const setItem = (key: string, item: Value) =>
    write(present.has(key) ? entries.map(([k, v]) => [k, k === key ? item : v]) : [...entries, [key, item]]);
  const rename = (row: DictRow, key: string) => {
    // the row typed into keeps the name; a row offered for it, still empty, gives way
    setRows(
      rows
        .filter((other) => other.id === row.id || other.key !== key)
        .map((other) => (other.id === row.id ? { ...other, key } : other)),
    );
    write(entries.map(([k, v]) => [k === row.key ? key : k, v]));
  };
  const newKey = () => {
    let n = 1;
    const stem = name === "types" ? "NewType" : "field";
    while (present.has(n === 1 ? stem : `${stem}${n}`)) n += 1;
    return n === 1 ? stem : `${stem}${n}`;
  };
  return (
    <div className="dict-field">
      {rows.map((row) => {
        const { key } = row;
        const given = present.has(key);
        return (
          <div className={given ? "dict-row" : "dict-row expected"} key={row.id}>
            {given ? (
              <KeyInput
                label={`${humanize(name)} name`}
                value={key}
                taken={(other) => present.has(other)}
                onRename={(other) => rename(row, other)}
              />
            ) : (
              <span className="dict-key fixed">{key}</span>
            )}
            <div className="dict-value">
              <Field
                name={key}
                label={`${humanize(name)}: ${key}`}
                path={`${path}.${key}`}
                schema={valueSchema}
                value={object[key]}
                required
                parent={given ? object : {}}
                context={context}
                onChange={(next) => {
                  if (given) setItem(key, next ?? emptyValue(resolved, context.root));
                  else if (next !== undefined) setItem(key, next);
                }}
              />
            </div>
            {given && (
              <button
                type="button"
                className="icon-button"
                title={`Remove ${key}`}
                aria-label={`Remove ${key}`}
                onClick={() => write(entries.filter(([k]) => k !== key))}
              >
                <X size={14} />
              </button>
            )}
          </div>
        );
      })}
      <button
        type="button"
        className="link-button"
        onClick={() => write([...entries, [newKey(), emptyValue(valueSchema, context.root)]])}
      >
        <Plus size={13} /> Add {name === "types" ? "type" : "entry"}
      </button>
    </div>
  );
}

function ListField({ name, path, schema, value, onChange, context }: FieldProps) {
  const items = Array.isArray(value) ? value : [];
  const itemSchema = schema.items ?? {};
  const resolvedItem = unwrapNullable(itemSchema, context.root).schema;
  const compound = resolvedItem.type === "object" || Boolean(resolvedItem.oneOf);
  return (
    <div className="list-field">
      {items.map((item, index) => (
        <div className={compound ? "list-item compound" : "list-item"} key={index}>
          <div className="list-item-body">
            <Field
              name={name}
              label={`${humanize(name)} ${index + 1}`}
              path={`${path}.${index}`}
              schema={itemSchema}
              value={item}
              required
              parent={{}}
              context={context}
              onChange={(next) => onChange(items.map((old, i) => (i === index ? next : old)))}
            />
          </div>
          <button
            type="button"
            className="icon-button"
            title="Remove"
            aria-label={`Remove item ${index + 1}`}
            onClick={() => onChange(items.filter((_, i) => i !== index))}
          >
            <X size={14} />
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() => onChange([...items, emptyValue(itemSchema, context.root)])}
      >
        <Plus size={13} /> Add
      </button>
    </div>
  );
}

function ObjectFields({ path, schema, value, onChange, context }: Omit<FieldProps, "name" | "required" | "parent">) {
  const object = isObj(value) ? value : {};
  const required = new Set(schema.required ?? []);
  return (
    <div className="object-fields">
      {Object.entries(schema.properties ?? {}).map(([key, property]) => {
        if (property.const !== undefined) return null;
        const childPath = path ? `${path}.${key}` : key;
        return (
          <FieldRow
            key={key}
            name={key}
            path={childPath}
            schema={property}
            value={object[key]}
            required={required.has(key)}
            parent={object}
            context={context}
            onChange={(next) => {
              const copy: Obj = { ...object };
              if (next === undefined) delete copy[key];
              else copy[key] = next;
              onChange(copy);
            }}
          />
        );
      })}
    </div>
  );
}

function UnionField({ name, path, label, schema, value, required, onChange, context }: FieldProps) {
  const tag = schema.discriminator?.propertyName ?? "kind";
  const variants = (schema.oneOf ?? []).map((variant) => resolve(variant, context.root));
  const object = isObj(value) ? value : {};
  const current = variants.find((variant) => variant.properties?.[tag]?.const === object[tag]);
  return (
    <div className="union-field">
      <select
        id={`${context.idPrefix}-${path}`}
        value={String(object[tag] ?? "")}
        aria-label={label ?? humanize(name)}
        onChange={(event) => {
          const variant = variants.find((v) => v.properties?.[tag]?.const === event.target.value);
          onChange(variant ? emptyValue(variant, context.root) : undefined);
        }}
      >
        {(!required || !current) && <option value="">— default</option>}
        {variants.map((variant) => {
          const name = String(variant.properties?.[tag]?.const ?? variant.title);
          return (
            <option key={name} value={name}>
              {name}
            </option>
          );
        })}
      </select>
      {current && <ObjectFields path={path} schema={current} value={object} onChange={onChange} context={context} />}
    </div>
  );
}

function Field(props: FieldProps) {
  const { schema, nullable } = unwrapNullable(props.schema, props.context.root);
  const field = { ...props, schema, required: props.required && !nullable };
  const choices = props.context.choicesOf?.(props.path, props.parent);
  if (choices) return <ChoiceField {...field} choices={choices} />;
  if (schema.oneOf) return <UnionField {...field} />;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return <TextField {...field} />;
    case "integer":
    case "number":
      return <NumberField {...field} />;
    case "boolean":
      return (
        <input
          id={`${props.context.idPrefix}-${props.path}`}
          type="checkbox"
          aria-label={props.label}
          checked={props.value === true || (props.value === undefined && schema.default === true)}
          onChange={(event) => props.onChange(event.target.checked)}
        />
      );
    case "array":
      return <ListField {...field} />;
    case "object":
      if (schema.properties) {
        return <ObjectFields path={props.path} schema={schema} value={props.value} onChange={props.onChange} context={props.context} />;
      }
      return <DictField {...field} />;
    default:
      return <JsonField {...field} />;
  }
}

const FieldRow = memo(function FieldRow(props: FieldProps) {
  const { schema, nullable } = unwrapNullable(props.schema, props.context.root);
  const label = humanize(props.name);
  const isSection = schema.type === "object" && Boolean(schema.properties) && !schema.oneOf;
  const absent = props.value === undefined || props.value === null;
  if (isSection && (nullable || !props.required) && absent) {
    return (
      <div className="field optional-section">
        <button
          type="button"
          className="link-button"
          onClick={() => props.onChange(emptyValue(schema, props.context.root))}
        >
          <Plus size={13} /> {label}
        </button>
        {schema.description && <span className="field-hint">{schema.description}</span>}
      </div>
    );
  }
  return (
    <div className={isSection ? "field section" : "field"} data-field={props.path}>
      <div className="field-label">
        <label htmlFor={`${props.context.idPrefix}-${props.path}`}>
          {label}
          {props.required && !nullable && <span className="required">*</span>}
        </label>
        {isSection && nullable && (
          <button type="button" className="link-button quiet" onClick={() => props.onChange(undefined)}>
            Remove
          </button>
        )}
      </div>
      {schema.description && <p className="field-hint">{schema.description}</p>}
      <Field {...props} />
      <Problems path={props.path} context={props.context} />
    </div>
  );
});

/** The form for one object: its properties, in the schema's order. */
export function SchemaForm({
  schema,
  value,
  onChange,
  context,
}: {
  schema: JsonSchema;
  value: Obj;
  onChange(value: Obj): void;
  context: FormContext;
}) {
  const resolved = resolve(schema, context.root);
  return (
    <ObjectFields
      path=""
      schema={resolved}
      value={value}
      onChange={(next) => onChange(isObj(next) ? next : {})}
      context={context}
    />
  );
}

/** One field of a larger object, drawn with its label, hint and problems. */
export function SchemaField(props: Omit<FieldProps, "parent"> & { parent?: Obj }) {
  return <FieldRow {...props} parent={props.parent ?? {}} />;
}

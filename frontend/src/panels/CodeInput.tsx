// A one-line code field: the text is highlighted as Python (expressions) or as a template whose
// `{...}` parts are Python, drawn under a transparent textarea that keeps native editing.
import { Highlight } from "prism-react-renderer";
import { memo, useId, useLayoutEffect, useRef, useState } from "react";

import { codeTheme } from "../components/codeTheme";
import { accept, type CompletionScope, suggest, type Suggestion, type Suggestions } from "../editor/completions";

export type CodeFormat = "expression" | "template" | "duration" | "identifier" | "json";

interface Props {
  value: string;
  onChange(value: string): void;
  format: CodeFormat;
  placeholder?: string;
  invalid?: boolean;
  ariaLabel?: string;
  id?: string;
  multiline?: boolean;
  /** The names the field can complete (an expression or a template at a node in scope). */
  completion?: CompletionScope | null;
}

function Python({ code }: { code: string }) {
  return (
    <Highlight code={code} language="python" theme={codeTheme}>
      {({ tokens, getTokenProps }) => (
        <>
          {tokens.map((line, row) => (
            <span key={row}>
              {row > 0 && "\n"}
              {line.map((token, column) => {
                const { key: _key, ...props } = getTokenProps({ token });
                return <span key={column} {...props} />;
              })}
            </span>
          ))}
        </>
      )}
    </Highlight>
  );
}

function Template({ code }: { code: string }) {
  const parts = code.split(/(\{[^{}]*\})/g);
  return (
    <>
      {parts.map((part, index) =>
        part.startsWith("{") && part.endsWith("}") ? (
          <span key={index} className="template-slot">
            {"{"}
            <Python code={part.slice(1, -1)} />
            {"}"}
          </span>
        ) : (
          <span key={index}>{part}</span>
        ),
      )}
    </>
  );
}

/** The suggestions open under a field, and the one the arrow keys are on. */
interface Open {
  suggestions: Suggestions;
  active: number;
}

export const CodeInput = memo(function CodeInput({
  value,
  onChange,
  format,
  placeholder,
  invalid,
  ariaLabel,
  id,
  multiline,
  completion,
}: Props) {
  const fallbackId = useId();
  const fieldId = id ?? fallbackId;
  const listId = `${fieldId}-suggestions`;
  const [open, setOpen] = useState<Open | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  const caretAfter = useRef<number | null>(null);
  const completes = completion && (format === "expression" || format === "template") ? completion : null;
  const shown = completes ? open : null;

  useLayoutEffect(() => {
    // the caret goes after an accepted suggestion once the new value is in the field
    const caret = caretAfter.current;
    if (caret === null || !field.current || field.current.value !== value) return;
    caretAfter.current = null;
    field.current.setSelectionRange(caret, caret);
  }, [value]);

  const activeId = shown ? `${listId}-${shown.active}` : undefined;
  useLayoutEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: "nearest" });
  }, [activeId]);

  const refresh = (text: string, caret: number, forced: boolean) => {
    if (!completes || (format !== "expression" && format !== "template")) return;
    const found = suggest(text, caret, format, completes, forced);
    setOpen(found ? { suggestions: found, active: 0 } : null);
  };
  const choose = (item: Suggestion) => {
    if (!shown) return;
    const next = accept(value, shown.suggestions, item);
    caretAfter.current = next.caret;
    setOpen(null);
    onChange(next.value);
  };
  const onKeyDown = (event: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (completes && event.key === " " && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.stopPropagation();
      const target = event.currentTarget;
      refresh(target.value, target.selectionStart, true);
      return;
    }
    if (shown) {
      const count = shown.suggestions.items.length;
      const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 8, PageUp: -8 };
      const step = moves[event.key];
      if (step !== undefined) {
        event.preventDefault();
        event.stopPropagation();
        const active = Math.min(count - 1, Math.max(0, shown.active + step));
        setOpen({ ...shown, active });
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        const item = shown.suggestions.items[shown.active];
        if (item) {
          event.preventDefault();
          event.stopPropagation();
          choose(item);
          return;
        }
      }
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        setOpen(null);
        return;
      }
      // the caret leaves the word the suggestions are for
      if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) setOpen(null);
    }
    if (event.key === "Enter" && !multiline) event.preventDefault();
  };

  const highlighted =
    format === "expression" ? (
      <Python code={value} />
    ) : format === "template" ? (
      <Template code={value} />
    ) : format === "json" ? (
      <Python code={value} />
    ) : (
      value
    );
  return (
    <div className={`code-input${invalid ? " invalid" : ""}`} data-format={format}>
      <pre aria-hidden className="code-input-highlight">
        {value ? highlighted : <span className="code-input-placeholder">{placeholder}</span>}
        {"\n"}
      </pre>
      <textarea
        ref={field}
        id={fieldId}
        aria-label={ariaLabel}
        spellCheck={false}
        autoComplete="off"
        autoCapitalize="off"
        rows={1}
        value={value}
        {...(completes
          ? {
              role: "combobox",
              "aria-autocomplete": "list" as const,
              "aria-expanded": shown !== null,
              "aria-controls": listId,
              "aria-activedescendant": activeId,
            }
          : {})}
        onChange={(event) => {
          const text = multiline ? event.target.value : event.target.value.replace(/\n/g, " ");
          onChange(text);
          refresh(text, event.target.selectionStart, false);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(null)}
        onClick={() => setOpen(null)}
      />
      {completes && (
        <ul
          id={listId}
          role="listbox"
          aria-label={`Names for ${ariaLabel ?? "the field"}`}
          className="completions"
          hidden={!shown}
        >
          {shown?.suggestions.items.map((item, index) => (
            <li
              key={item.label}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === shown.active}
              className={index === shown.active ? "active" : undefined}
              // the field keeps the focus: a press on an option does not blur it
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => choose(item)}
            >
              <span className="completion-name">{item.label}</span>
              <span className="completion-type">{item.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});

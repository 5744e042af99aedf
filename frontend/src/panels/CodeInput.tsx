// A one-line code field: the text is highlighted as Python (expressions) or as a template whose
// `{...}` parts are Python, drawn under a transparent textarea that keeps native editing.
import { Highlight } from "prism-react-renderer";
import { memo, useId } from "react";

import { codeTheme } from "../components/codeTheme";

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

export const CodeInput = memo(function CodeInput({
  value,
  onChange,
  format,
  placeholder,
  invalid,
  ariaLabel,
  id,
  multiline,
}: Props) {
  const fallbackId = useId();
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
        id={id ?? fallbackId}
        aria-label={ariaLabel}
        spellCheck={false}
        autoComplete="off"
        autoCapitalize="off"
        rows={1}
        value={value}
        onChange={(event) =>
          onChange(multiline ? event.target.value : event.target.value.replace(/\n/g, " "))
        }
        onKeyDown={(event) => {
          if (event.key === "Enter" && !multiline) event.preventDefault();
        }}
      />
    </div>
  );
});

// The generated package beside the graph: files with Python highlighting; the selected node's
// lines are highlighted (source map), and clicking a line selects the node it came from.
import { Download } from "lucide-react";
import { Highlight } from "prism-react-renderer";
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";

import { api, ApiError } from "../api/client";
import type { CompileResult, SourceRange } from "../api/types";
import { codeTheme } from "../components/codeTheme";
import { useEditor, useEditorStore } from "../editor/context";
import { projectDocument, selectedNodeIds } from "../editor/store";

const COMPILE_DELAY_MS = 600;

type Compiled = { result: CompileResult | null; error: string | null; stale: boolean };

function useCompiled(): Compiled {
  const store = useEditorStore();
  const [state, setState] = useState<Compiled>({ result: null, error: null, stale: true });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sequence = 0;
    const run = async () => {
      const mine = ++sequence;
      try {
        const result = await api.compile(projectDocument(store.getState()));
        if (mine === sequence) setState({ result, error: null, stale: false });
      } catch (error) {
        if (mine !== sequence) return;
        const diagnostics = error instanceof ApiError ? (error.body.diagnostics ?? []) : [];
        const errors = diagnostics.filter((d) => d.severity === "error");
        const message =
          error instanceof ApiError && error.status === 422
            ? errors.length === 1
              ? `No code while this problem stands: ${errors[0]?.message ?? ""}`
              : `No code while ${errors.length} problems stand; the problems list shows them.`
            : error instanceof Error
              ? error.message
              : String(error);
        setState((previous) => ({ result: previous.result, error: message, stale: true }));
      }
    };
    void run();
    const unsubscribe = store.subscribe((next, previous) => {
      if (next.tag !== previous.tag || next.project !== previous.project) {
        clearTimeout(timer);
        timer = setTimeout(() => void run(), COMPILE_DELAY_MS);
      }
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store]);
  return state;
}

const CodeLines = memo(function CodeLines({
  code,
  highlight,
  onLineClick,
}: {
  code: string;
  highlight: { start: number; end: number } | null;
  onLineClick(line: number): void;
}) {
  return (
    <Highlight code={code.replace(/\n$/, "")} language="python" theme={codeTheme}>
      {({ tokens, getTokenProps }) => (
        <pre className="code-view">
          {tokens.map((line, index) => {
            const number = index + 1;
            const marked = highlight && number >= highlight.start && number <= highlight.end;
            return (
              <div
                key={index}
                className={marked ? "code-line marked" : "code-line"}
                data-line={number}
                onClick={() => onLineClick(number)}
              >
                <span className="line-number">{number}</span>
                <span className="line-text">
                  {line.map((token, column) => {
                    const { key: _key, ...props } = getTokenProps({ token });
                    return <span key={column} {...props} />;
                  })}
                </span>
              </div>
            );
          })}
        </pre>
      )}
    </Highlight>
  );
});

export function CodePanel() {
  const store = useEditorStore();
  const workflowId = useEditor((state) => state.workflowId);
  const selected = useEditor(useShallow(selectedNodeIds));
  const { result, error, stale } = useCompiled();
  const [chosenFile, setChosenFile] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);
  const viewRef = useRef<HTMLDivElement>(null);

  // the source map names files under the package folder (`shop/workflows/x.py`)
  const ranges: Record<string, SourceRange> = useMemo(() => {
    if (!result) return {};
    const prefix = `${result.package}/`;
    return Object.fromEntries(
      Object.entries(result.sourcemap[workflowId] ?? {}).map(([nodeId, range]) => [
        nodeId,
        !(range.file in result.files) && range.file.startsWith(prefix)
          ? { ...range, file: range.file.slice(prefix.length) }
          : range,
      ]),
    );
  }, [result, workflowId]);
  const files = useMemo(() => Object.keys(result?.files ?? {}).sort(), [result]);
  const selectedRange = selected.length === 1 && selected[0] ? ranges[selected[0]] : undefined;
  const defaultFile =
    Object.values(ranges)[0]?.file ?? files.find((file) => file.startsWith("workflows/")) ?? files[0];
  const file = selectedRange?.file ?? (chosenFile && files.includes(chosenFile) ? chosenFile : defaultFile);

  useEffect(() => {
    if (!selectedRange) return;
    const view = viewRef.current;
    const line = view?.querySelector<HTMLElement>(`[data-line="${selectedRange.start}"]`);
    if (view && line) {
      view.scrollTo({ top: Math.max(0, line.offsetTop - view.clientHeight / 3), behavior: "smooth" });
    }
  }, [selectedRange, file]);

  const selectLine = (line: number) => {
    let best: [string, number] | null = null;
    for (const [nodeId, range] of Object.entries(ranges)) {
      if (range.file !== file || line < range.start || line > range.end) continue;
      const span = range.end - range.start;
      if (!best || span < best[1]) best = [nodeId, span];
    }
    if (best) store.getState().select([best[0]]);
  };

  const download = async () => {
    setDownloading(true);
    try {
      const blob = await api.compileZip(projectDocument(store.getState()));
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = `${result?.package ?? "package"}.zip`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (failure) {
      store.getState().notify(failure instanceof Error ? failure.message : String(failure), "error");
    } finally {
      setDownloading(false);
    }
  };

  return (
    <div className="code-panel" data-testid="code-panel">
      <div className="code-toolbar">
        <select value={file ?? ""} onChange={(event) => setChosenFile(event.target.value)} aria-label="File">
          {files.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <button type="button" className="button" onClick={() => void download()} disabled={downloading || !!error}>
          <Download size={14} /> Download .zip
        </button>
      </div>
      {error && <p className="code-error">{error}</p>}
      {!result && !error && <p className="muted pad">Compiling…</p>}
      {result && file && (
        <div
          className={stale ? "code-scroll stale" : "code-scroll"}
          ref={viewRef}
          role="region"
          aria-label={`Generated code: ${file}`}
          tabIndex={0}
        >
          <CodeLines
            code={result.files[file] ?? ""}
            highlight={selectedRange && selectedRange.file === file ? selectedRange : null}
            onLineClick={selectLine}
          />
        </div>
      )}
    </div>
  );
}

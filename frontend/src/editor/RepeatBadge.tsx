// The badge on a container whose contents have the same shape as other containers' ("×3"):
// hovering it names the others and highlights them on the canvas. The shapes are worked out
// a moment after the document's structure stops changing, never for a keystroke in a label.
import { Copy } from "lucide-react";
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from "react";

import { useEditor } from "./context";
import { type Repeat, repeatsOf, shapeKey } from "./repeats";

const SETTLE_MS = 250;

const RepeatsContext = createContext<ReadonlyMap<string, Repeat>>(new Map());

interface Highlight {
  shown: ReadonlySet<string>;
  show(ids: string[]): void;
}

const HighlightContext = createContext<Highlight>({ shown: new Set(), show: () => {} });

/** Whether `id` is one of the containers a hovered badge points at. */
export function useRepeatHighlighted(id: string): boolean {
  return useContext(HighlightContext).shown.has(id);
}

function sameRepeats(a: ReadonlyMap<string, Repeat>, b: ReadonlyMap<string, Repeat>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, repeat] of a) {
    const other = b.get(id);
    if (!other || other.others.length !== repeat.others.length) return false;
    if (repeat.others.some((entry, index) => entry.id !== other.others[index]?.id || entry.label !== other.others[index]?.label)) {
      return false;
    }
  }
  return true;
}

export function RepeatsProvider({ children }: { children: ReactNode }) {
  const nodes = useEditor((state) => state.nodes);
  const edges = useEditor((state) => state.edges);
  const [repeats, setRepeats] = useState(() => repeatsOf(nodes, edges));
  const last = useRef<{ key: string; edges: unknown } | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      const key = shapeKey(nodes);
      if (last.current && last.current.key === key && last.current.edges === edges) return;
      last.current = { key, edges };
      const next = repeatsOf(nodes, edges);
      setRepeats((current) => (sameRepeats(current, next) ? current : next));
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [nodes, edges]);
  const [shown, setShown] = useState<ReadonlySet<string>>(() => new Set());
  const highlight = useMemo<Highlight>(
    () => ({ shown, show: (ids) => setShown((current) => (!ids.length && !current.size ? current : new Set(ids))) }),
    [shown],
  );
  return (
    <RepeatsContext.Provider value={repeats}>
      <HighlightContext.Provider value={highlight}>{children}</HighlightContext.Provider>
    </RepeatsContext.Provider>
  );
}

export function RepeatBadge({ id }: { id: string }) {
  const repeat = useContext(RepeatsContext).get(id);
  const { show } = useContext(HighlightContext);
  if (!repeat) return null;
  const count = repeat.others.length;
  const names = repeat.others.map((other) => other.label).join(", ");
  const text = `Same steps as ${count} other${count === 1 ? "" : "s"}: ${names}`;
  return (
    <span
      className="repeat-badge nodrag"
      data-testid="repeat-badge"
      aria-label={text}
      tabIndex={0}
      onMouseEnter={() => show(repeat.others.map((other) => other.id))}
      onMouseLeave={() => show([])}
      onFocus={() => show(repeat.others.map((other) => other.id))}
      onBlur={() => show([])}
    >
      <Copy size={11} aria-hidden="true" />×{count + 1}
      <span className="repeat-popover" role="tooltip" data-testid="repeat-tooltip">
        {text}
      </span>
    </span>
  );
}

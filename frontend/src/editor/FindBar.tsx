// Ctrl+F: find a node by its label (or id) and bring it into view.
import { Search, X } from "lucide-react";
import { useMemo, useState } from "react";

import { useEditor, useEditorStore } from "./context";

export function FindBar({ onClose }: { onClose(): void }) {
  const store = useEditorStore();
  const nodes = useEditor((state) => state.nodes);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const matches = useMemo(() => {
    const needle = query.trim().toLowerCase();
    if (!needle) return [];
    return nodes
      .filter((node) => node.data.label.toLowerCase().includes(needle) || node.id.toLowerCase().includes(needle))
      .slice(0, 50);
  }, [nodes, query]);
  const go = (index: number) => {
    const node = matches[index];
    if (node) store.getState().focusNode(node.id);
  };
  return (
    <div className="find-bar" role="search" data-testid="find-bar">
      <div className="find-input">
        <Search size={14} />
        <input
          autoFocus
          type="search"
          aria-label="Find a node by label"
          placeholder="Find a node by label"
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setActive(0);
          }}
          onKeyDown={(event) => {
            if (event.key === "Escape") onClose();
            else if (event.key === "ArrowDown") setActive((i) => Math.min(i + 1, matches.length - 1));
            else if (event.key === "ArrowUp") setActive((i) => Math.max(i - 1, 0));
            else if (event.key === "Enter") {
              go(active);
              onClose();
            }
          }}
        />
        <span className="muted">{query ? `${matches.length} found` : ""}</span>
        <button type="button" className="icon-button" onClick={onClose} title="Close (Esc)" aria-label="Close the find bar">
          <X size={14} />
        </button>
      </div>
      {matches.length > 0 && (
        <ul className="find-results">
          {matches.map((node, index) => (
            <li key={node.id}>
              <button
                type="button"
                className={index === active ? "active" : ""}
                onMouseEnter={() => setActive(index)}
                onClick={() => {
                  go(index);
                  onClose();
                }}
              >
                {node.data.label || node.id} <span className="muted">{node.data.kind}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

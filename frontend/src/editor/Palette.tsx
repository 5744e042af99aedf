// The node kinds from the catalogue, grouped by category and searchable. Drag one onto the canvas,
// or click it to drop it in the middle of the view.
import { useReactFlow } from "@xyflow/react";
import { Search } from "lucide-react";
import { type DragEvent, useMemo, useState } from "react";

import type { NodeKind } from "../api/types";
import { KindIcon } from "../components/KindIcon";
import { KIND_MIME } from "./Canvas";
import { useEditor, useEditorStore } from "./context";

export function Palette() {
  const store = useEditorStore();
  const catalogue = useEditor((state) => state.catalogue);
  const { screenToFlowPosition } = useReactFlow();
  const [query, setQuery] = useState("");
  const groups = useMemo(() => {
    const needle = query.trim().toLowerCase();
    const matches = (kind: NodeKind) =>
      !needle || [kind.label, kind.kind, kind.description, kind.category].some((text) => text.toLowerCase().includes(needle));
    return catalogue.groups
      .map((group) => ({ ...group, kinds: group.kinds.filter(matches) }))
      .filter((group) => group.kinds.length > 0);
  }, [catalogue, query]);

  const onDragStart = (event: DragEvent, kind: string) => {
    event.dataTransfer.setData(KIND_MIME, kind);
    event.dataTransfer.effectAllowed = "copy";
  };

  const addAtCenter = (kind: string) => {
    const canvas = document.querySelector(".react-flow")?.getBoundingClientRect();
    if (!canvas) return;
    const point = screenToFlowPosition({ x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 });
    store.getState().addNode(kind, point);
  };

  return (
    <aside className="palette" data-testid="palette">
      <label className="search">
        <Search size={14} />
        <input
          type="search"
          placeholder="Search nodes"
          aria-label="Search nodes"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </label>
      <div className="palette-groups">
        {groups.map((group) => (
          <section key={group.category}>
            <h3>{group.category}</h3>
            {group.kinds.map((kind) => (
              <div
                key={kind.kind}
                className="palette-item"
                draggable
                role="button"
                tabIndex={0}
                data-kind={kind.kind}
                title={kind.description}
                style={{ "--kind-color": kind.color } as React.CSSProperties}
                onDragStart={(event) => onDragStart(event, kind.kind)}
                onDoubleClick={() => addAtCenter(kind.kind)}
                onKeyDown={(event) => {
                  if (event.key === "Enter") addAtCenter(kind.kind);
                }}
              >
                <span className="node-icon small">
                  <KindIcon name={kind.icon} size={14} />
                </span>
                <span className="palette-label">{kind.label}</span>
              </div>
            ))}
          </section>
        ))}
        {groups.length === 0 && <p className="muted pad">No node kind matches “{query}”.</p>}
      </div>
    </aside>
  );
}

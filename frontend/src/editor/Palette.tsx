// The node kinds from the catalogue, grouped by category and searchable. Drag one onto the canvas,
// or click it (or press Enter on it) to add it below the selected node, or in the middle of the view.
import { Search } from "lucide-react";
import { type DragEvent, type MouseEvent, useMemo, useState } from "react";

import { KindIcon } from "../components/KindIcon";
import { matchingGroups } from "../document/catalogue";
import { KIND_MIME } from "./Canvas";
import { useEditor, useEditorStore } from "./context";
import { useCanvasView } from "./reveal";

export function Palette() {
  const store = useEditorStore();
  const catalogue = useEditor((state) => state.catalogue);
  const { view, reveal } = useCanvasView();
  const [query, setQuery] = useState("");
  const groups = useMemo(() => matchingGroups(catalogue, query), [catalogue, query]);

  const onDragStart = (event: DragEvent, kind: string) => {
    event.dataTransfer.setData(KIND_MIME, kind);
    event.dataTransfer.effectAllowed = "copy";
  };

  const add = (kind: string) => reveal(store.getState().addNodeInView(kind, view()));

  // the second click of a double-click adds nothing more: a double-click adds one node
  const onClick = (event: MouseEvent, kind: string) => {
    if (event.detail <= 1) add(kind);
  };

  return (
    <aside className="palette" aria-label="Node kinds" data-testid="palette">
      <h2 className="visually-hidden">Node kinds</h2>
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
                onDragEnd={() => store.getState().previewDropAt(null)}
                onClick={(event) => onClick(event, kind.kind)}
                onKeyDown={(event) => {
                  if (event.key === "Enter") add(kind.kind);
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

// What to do first on an empty canvas; it gives way to the first node.
import { MousePointerClick } from "lucide-react";

import { useEditor } from "./context";

export function EmptyCanvasHint() {
  const empty = useEditor((state) => state.nodes.length === 0);
  if (!empty) return null;
  return (
    <div className="canvas-hint" data-testid="canvas-hint">
      <MousePointerClick size={22} />
      <p>Drag a step from the palette, or click one to add it; every workflow begins with a Start node.</p>
    </div>
  );
}

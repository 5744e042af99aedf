// What the user sees of the canvas, and bringing a node just added into it.
import { useReactFlow, useStoreApi } from "@xyflow/react";
import { useCallback } from "react";

import { absolutePosition, nodeSize } from "../document/mapping";
import { useEditorStore } from "./context";
import { type Box, contains } from "./geometry";

/** `view()`: the part of the canvas in view, in canvas coordinates. `reveal(id)`: glides the view
 * to the node when it is not wholly in view (added below a node out of sight, or pushed away by
 * a crowd), at the same zoom. */
export function useCanvasView(): { view(): Box; reveal(nodeId: string): void } {
  const store = useEditorStore();
  const flow = useStoreApi();
  const { setCenter } = useReactFlow();
  const view = useCallback((): Box => {
    const { width, height, transform } = flow.getState();
    const [x, y, zoom] = transform;
    return { x: -x / zoom, y: -y / zoom, width: width / zoom, height: height / zoom };
  }, [flow]);
  const reveal = useCallback(
    (nodeId: string) => {
      const nodes = new Map(store.getState().nodes.map((node) => [node.id, node]));
      const node = nodes.get(nodeId);
      if (!node) return;
      const at = absolutePosition(node, nodes);
      const size = nodeSize(node);
      if (!contains(view(), { ...at, ...size })) {
        const zoom = flow.getState().transform[2];
        void setCenter(at.x + size.width / 2, at.y + size.height / 2, { zoom, duration: 200 });
      }
    },
    [store, flow, view, setCenter],
  );
  return { view, reveal };
}

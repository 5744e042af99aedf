// Copy and paste: copies keep their inner edges and land at the free place nearest to their
// originals, outside every container unless pasted into one.
import type { XYPosition } from "@xyflow/react";

import {
  absolutePosition,
  edgeToFlow,
  type FlowNode,
  flowNodeToDocument,
  nodeSize,
  nodeToFlow,
} from "../../document/mapping";
import { boundsOf, freeOffset } from "../geometry";
import type { ClipboardContent } from "../store";
import type { Slice } from "./context";
import { freshId } from "./placement";
import { deselectEdges, isInside, orderParentsFirst } from "./queries";

/** How far pasted copies are shifted from their originals before looking for a free place. */
const PASTE_SHIFT = 40;

export const clipboardSlice: Slice<"copySelection" | "paste"> = ({ set, get, history, place }) => {
  /** The nodes the last paste selected: a container among them is no target for the next. */
  let lastPasted = new Set<string>();

  /** The container a paste goes into: one selected on its own that is neither among the
   * copies' originals nor the last paste's copies (Ctrl+C, Ctrl+V, Ctrl+V of a container puts
   * its copies beside it, never inside). */
  const pasteTarget = (content: ClipboardContent): FlowNode | undefined => {
    const selected = get().nodes.filter((node) => node.selected);
    const only = selected.length === 1 ? selected[0] : undefined;
    if (!only || only.type !== "container" || lastPasted.has(only.id)) return undefined;
    return content.nodes.some((node) => node.id === only.id) ? undefined : only;
  };

  return {
    copySelection() {
      const { nodes, edges } = get();
      const chosen = new Set(nodes.filter((node) => node.selected).map((node) => node.id));
      if (!chosen.size) return null;
      const all = place.byId();
      for (const node of nodes) {
        if (isInside(node.id, chosen, all)) chosen.add(node.id);
      }
      const copied = nodes
        .filter((node) => chosen.has(node.id))
        .map((node) => {
          const document = flowNodeToDocument(node);
          if (node.parentId && !chosen.has(node.parentId)) {
            return { ...document, parent_id: null, position: absolutePosition(node, all) };
          }
          return document;
        });
      const copiedEdges = edges
        .filter((edge) => chosen.has(edge.source) && chosen.has(edge.target))
        .map((edge) => ({
          id: edge.id,
          source: edge.source,
          source_handle: edge.sourceHandle ?? "out",
          target: edge.target,
          target_handle: edge.targetHandle ?? "in",
        }));
      return structuredClone({ nodes: copied, edges: copiedEdges });
    },

    paste(content) {
      if (!content.nodes.length) return;
      const { catalogue } = get();
      const before = get().nodes;
      const takenNodes = new Set(before.map((node) => node.id));
      const takenEdges = new Set(get().edges.map((edge) => edge.id));
      const renamed = new Map<string, string>();
      for (const node of content.nodes) renamed.set(node.id, freshId(node.type, takenNodes));
      const copies = place.growContainers(
        content.nodes.map((node) => {
          const parent = node.parent_id ? renamed.get(node.parent_id) : undefined;
          const flow = nodeToFlow(
            { ...structuredClone(node), id: renamed.get(node.id) ?? node.id, parent_id: parent ?? null },
            catalogue,
          );
          return { ...flow, selected: !parent };
        }),
      );
      // the copies that are not inside another copy move, as one group, to a free place
      const target = pasteTarget(content) ?? place.withinOpened(undefined);
      const leading = copies.filter((node) => !node.parentId);
      const boxes = leading.map((node) => ({ ...node.position, ...nodeSize(node) }));
      const origin = target ? absolutePosition(target, place.byId()) : { x: 0, y: 0 };
      let offset: XYPosition;
      if (target) {
        const group = boundsOf(boxes);
        const wanted = place.belowChildren(target);
        offset = freeOffset(boxes, place.obstaclesFor(target), { x: wanted.x - group.x, y: wanted.y - group.y }, {
          min: place.insideCorner(target),
        });
      } else {
        offset = freeOffset(boxes, place.obstaclesFor(undefined), { x: PASTE_SHIFT, y: PASTE_SHIFT });
      }
      const pasted = copies.map((node): FlowNode => {
        if (node.parentId) return node;
        const position = {
          x: Math.round(node.position.x + offset.x - origin.x),
          y: Math.round(node.position.y + offset.y - origin.y),
        };
        return target ? { ...node, position, parentId: target.id } : { ...node, position };
      });
      const pastedById = new Map(pasted.map((node) => [node.id, node]));
      const newEdges = content.edges
        .filter((edge) => renamed.has(edge.source) && renamed.has(edge.target))
        .map((edge) =>
          edgeToFlow(
            {
              ...edge,
              id: freshId("e", takenEdges),
              source: renamed.get(edge.source) ?? edge.source,
              target: renamed.get(edge.target) ?? edge.target,
            },
            pastedById,
            catalogue,
          ),
        );
      history.record();
      const nodes = before.map((node) => (node.selected ? { ...node, selected: false } : node));
      set({
        nodes: place.settle(orderParentsFirst([...nodes, ...pasted]), before),
        edges: [...deselectEdges(get().edges), ...newEdges],
      });
      lastPasted = new Set(pasted.filter((node) => node.selected).map((node) => node.id));
    },
  };
};

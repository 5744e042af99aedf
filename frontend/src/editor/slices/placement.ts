// Where nodes go: the container under a point, the free place nearest to where a node is
// wanted, containers that grow to hold their children and push aside what they come to overlap.
import type { XYPosition } from "@xyflow/react";

import type { DocNode, NodeKind } from "../../api/types";
import {
  absolutePosition,
  CONTAINER_MIN,
  CONTAINER_PADDING,
  type FlowNode,
  fittingSize,
  nodeSize,
  nodeToFlow,
  STEP_HEIGHT,
  STEP_WIDTH,
} from "../../document/mapping";
import type { EditorState } from "../store";
import { type Box, freeSpot, GAP, pushAside } from "../geometry";
import { holds, isInside, openedContainer } from "./queries";

/** Where a new node goes below the selected one: room for the edge between them. */
export const BELOW = 56;
const NEW_CONTAINER = { width: 360, height: 220 };

export interface Placement {
  byId(): Map<string, FlowNode>;
  /** The innermost container whose box holds `point`, leaving out `exclude` and what it holds. */
  containerAt(point: XYPosition, exclude: Set<string>): FlowNode | undefined;
  /** While the canvas is drilled into a container, nothing lands outside it: `found` if it is
   * that container or inside it, else that container. */
  withinOpened(found: FlowNode | undefined): FlowNode | undefined;
  /** Containers grow to hold their children; parents grow in turn. */
  growContainers(nodes: FlowNode[]): FlowNode[];
  /** Grows containers to hold their children, then pushes aside the siblings of each container
   * that came to overlap them by growing past its size in `before`; parents grow in turn. */
  settle(nodes: FlowNode[], before: readonly FlowNode[]): FlowNode[];
  /** The boxes on the canvas a node placed into `parent` (none: the canvas) must keep clear of:
   * every node but that container and those around it. */
  obstaclesFor(parent: FlowNode | undefined): Box[];
  /** The least top-left corner, on the canvas, of a node placed into `parent`. */
  insideCorner(parent: FlowNode): XYPosition;
  /** Where a node added into a container goes first: below what the container holds. */
  belowChildren(container: FlowNode): XYPosition;
  /** A new node of `kindName` at the free place nearest to `wanted` (its top-left corner on
   * the canvas), inside `parent` if given, selected; not yet on the canvas. */
  placeNode(kindName: string, wanted: XYPosition, parent: FlowNode | undefined): FlowNode;
  /** The container a moved node belongs to once let go. Dropped by a drag, the innermost one
   * under its centre; moved by keys, the innermost of its own that still holds its centre. */
  homeAfterMove(node: FlowNode, nodes: ReadonlyMap<string, FlowNode>, dropped: boolean): FlowNode | undefined;
  /** The moved nodes that are not carried by a moved container. */
  leadingMoved(movedIds: string[], nodes: ReadonlyMap<string, FlowNode>): FlowNode[];
}

export function createPlacement(get: () => EditorState): Placement {
  const byId = () => new Map(get().nodes.map((node) => [node.id, node]));

  const withinOpened = (found: FlowNode | undefined): FlowNode | undefined => {
    const opened = openedContainer(get());
    if (!opened) return found;
    if (found && (found.id === opened.id || isInside(found.id, new Set([opened.id]), byId()))) return found;
    return opened;
  };

  const innermostContainerAt = (point: XYPosition, exclude: Set<string>): FlowNode | undefined => {
    const nodes = byId();
    let found: FlowNode | undefined;
    let foundArea = Infinity;
    // a collapsed container shows none of its inside: nothing is dropped into it or into what it holds
    const folded = get().collapsed;
    for (const node of get().nodes) {
      if (node.type !== "container" || exclude.has(node.id) || folded.has(node.id)) continue;
      if (isInside(node.id, exclude, nodes) || (folded.size && isInside(node.id, folded, nodes))) continue;
      const size = nodeSize(node);
      if (holds(node, point, nodes) && size.width * size.height < foundArea) {
        found = node;
        foundArea = size.width * size.height;
      }
    }
    return found;
  };

  const containerAt = (point: XYPosition, exclude: Set<string>): FlowNode | undefined =>
    withinOpened(innermostContainerAt(point, exclude));

  const growContainers = (nodes: FlowNode[]): FlowNode[] => {
    let changed = true;
    let result = nodes;
    for (let round = 0; changed && round < 10; round += 1) {
      changed = false;
      result = result.map((node) => {
        if (node.type !== "container") return node;
        const fit = fittingSize(node.id, result);
        const width = Math.max(node.width ?? CONTAINER_MIN.width, fit.width);
        const height = Math.max(node.height ?? CONTAINER_MIN.height, fit.height);
        if (width === node.width && height === node.height) return node;
        changed = true;
        return { ...node, width, height };
      });
    }
    return result;
  };

  const settle = (nodes: FlowNode[], before: readonly FlowNode[]): FlowNode[] => {
    const previous = new Map(before.map((node) => [node.id, node]));
    let result = growContainers(nodes);
    for (let round = 0; round < 10; round += 1) {
      const moves = new Map<string, XYPosition>();
      for (const container of result) {
        const old = previous.get(container.id);
        if (container.type !== "container" || !old) continue;
        const size = nodeSize(container);
        const oldSize = nodeSize(old);
        if (size.width <= oldSize.width && size.height <= oldSize.height) continue;
        const siblings = result
          .filter((node) => node.id !== container.id && node.parentId === container.parentId)
          .map((node) => ({ id: node.id, box: { ...node.position, ...nodeSize(node), ...moves.get(node.id) } }));
        const pushed = pushAside({ ...old.position, ...oldSize }, { ...container.position, ...size }, siblings);
        for (const [id, at] of pushed) moves.set(id, at);
      }
      if (!moves.size) break;
      result = growContainers(
        result.map((node) => {
          const at = moves.get(node.id);
          return at ? { ...node, position: at } : node;
        }),
      );
    }
    return result;
  };

  /** A container and the containers it sits in. */
  const withAncestors = (node: FlowNode, nodes: ReadonlyMap<string, FlowNode>): Set<string> => {
    const found = new Set([node.id]);
    let parentId = node.parentId;
    while (parentId && !found.has(parentId)) {
      found.add(parentId);
      parentId = nodes.get(parentId)?.parentId;
    }
    return found;
  };

  const obstaclesFor = (parent: FlowNode | undefined): Box[] => {
    const nodes = byId();
    const around = parent ? withAncestors(parent, nodes) : new Set<string>();
    return get()
      .nodes.filter((node) => !around.has(node.id))
      .map((node) => ({ ...absolutePosition(node, nodes), ...nodeSize(node) }));
  };

  const insideCorner = (parent: FlowNode): XYPosition => {
    const at = absolutePosition(parent, byId());
    return { x: at.x + CONTAINER_PADDING.side, y: at.y + CONTAINER_PADDING.top };
  };

  const belowChildren = (container: FlowNode): XYPosition => {
    const corner = insideCorner(container);
    const at = absolutePosition(container, byId());
    let lowest = corner.y - GAP;
    for (const child of get().nodes) {
      if (child.parentId === container.id) {
        lowest = Math.max(lowest, at.y + child.position.y + nodeSize(child).height);
      }
    }
    return { x: corner.x, y: lowest + GAP };
  };

  const placeNode = (kindName: string, wanted: XYPosition, parent: FlowNode | undefined): FlowNode => {
    const { catalogue } = get();
    const kind = catalogue.kinds.get(kindName);
    const size = newNodeSize(kind);
    const id = freshId(kindName, new Set(get().nodes.map((node) => node.id)));
    const spot = freeSpot(size, obstaclesFor(parent), wanted, parent ? { min: insideCorner(parent) } : {});
    const origin = parent ? absolutePosition(parent, byId()) : { x: 0, y: 0 };
    const document: DocNode = {
      id,
      type: kindName,
      label: uniqueLabel(kind?.label ?? kindName, get().nodes),
      position: { x: Math.round(spot.x - origin.x), y: Math.round(spot.y - origin.y) },
      size: kind?.role === "container" ? size : null,
      parent_id: parent?.id ?? null,
      config: structuredClone(kind?.defaults ?? {}),
    };
    return { ...nodeToFlow(document, catalogue), selected: true };
  };

  const homeAfterMove = (
    node: FlowNode,
    nodes: ReadonlyMap<string, FlowNode>,
    dropped: boolean,
  ): FlowNode | undefined => {
    const at = absolutePosition(node, nodes);
    const size = nodeSize(node);
    const center = { x: at.x + size.width / 2, y: at.y + size.height / 2 };
    if (dropped) return containerAt(center, new Set([node.id]));
    for (let parent = node.parentId ? nodes.get(node.parentId) : undefined; parent; ) {
      if (holds(parent, center, nodes)) return parent;
      parent = parent.parentId ? nodes.get(parent.parentId) : undefined;
    }
    return withinOpened(undefined);
  };

  const leadingMoved = (movedIds: string[], nodes: ReadonlyMap<string, FlowNode>): FlowNode[] => {
    const moving = new Set(movedIds);
    return movedIds.flatMap((id) => {
      const node = nodes.get(id);
      return node && !(node.parentId && moving.has(node.parentId)) ? [node] : [];
    });
  };

  return {
    byId,
    containerAt,
    withinOpened,
    growContainers,
    settle,
    obstaclesFor,
    insideCorner,
    belowChildren,
    placeNode,
    homeAfterMove,
    leadingMoved,
  };
}

/** An id made of `base` that is not in `taken`, which it joins. */
export function freshId(base: string, taken: Set<string>): string {
  const stem = base.replace(/[^A-Za-z0-9_]/g, "_") || "node";
  let n = 1;
  while (taken.has(`${stem}_${n}`)) n += 1;
  const id = `${stem}_${n}`;
  taken.add(id);
  return id;
}

/** The size of a node added of `kind`: a step's, or a new container's. */
export function newNodeSize(kind: NodeKind | undefined): { width: number; height: number } {
  return kind?.role === "container" ? NEW_CONTAINER : { width: STEP_WIDTH, height: STEP_HEIGHT };
}

function uniqueLabel(base: string, nodes: readonly FlowNode[]): string {
  const labels = new Set(nodes.map((node) => node.data.label));
  if (!labels.has(base)) return base;
  let n = 2;
  while (labels.has(`${base} ${n}`)) n += 1;
  return `${base} ${n}`;
}

// Auto-layout with elkjs: layered, top to bottom, containers laid out with their children inside.
import type { XYPosition } from "@xyflow/react";
import type { ElkExtendedEdge, ElkNode, ElkPort } from "elkjs/lib/elk-api";

import type { Catalogue } from "../document/catalogue";
import { outputHandles } from "../document/catalogue";
import { absolutePosition, CONTAINER_MIN, CONTAINER_PADDING, type FlowEdge, type FlowNode, nodeSize } from "../document/mapping";

export type Layout = Map<string, { position: XYPosition; size?: { width: number; height: number } }>;

const BASE_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.spacing.nodeNode": "40",
  "elk.spacing.componentComponent": "64",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.edgeRouting": "ORTHOGONAL",
};

export async function autoLayout(
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  catalogue: Catalogue,
): Promise<Layout> {
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  const elk = new ELK();
  const children = new Map<string | undefined, FlowNode[]>();
  for (const node of nodes) {
    const list = children.get(node.parentId) ?? [];
    list.push(node);
    children.set(node.parentId, list);
  }
  const ids = new Set(nodes.map((node) => node.id));
  const edgesIn = new Map<string | undefined, ElkExtendedEdge[]>();
  const parentOf = new Map(nodes.map((node) => [node.id, node.parentId]));
  for (const edge of edges) {
    if (!ids.has(edge.source) || !ids.has(edge.target)) continue;
    const scope = parentOf.get(edge.source);
    if (scope !== parentOf.get(edge.target)) continue;
    const list = edgesIn.get(scope) ?? [];
    list.push({
      id: edge.id,
      sources: [`${edge.source}::${edge.sourceHandle ?? "out"}`],
      targets: [`${edge.target}::in`],
    });
    edgesIn.set(scope, list);
  }
  const usedHandles = new Map<string, string[]>();
  for (const edge of edges) {
    const list = usedHandles.get(edge.source) ?? [];
    list.push(edge.sourceHandle ?? "out");
    usedHandles.set(edge.source, list);
  }

  const toElk = (node: FlowNode): ElkNode => {
    const kind = catalogue.kinds.get(node.data.kind);
    const handles = outputHandles(kind, node.data.config, usedHandles.get(node.id) ?? []);
    const ports: ElkPort[] = [
      { id: `${node.id}::in`, layoutOptions: { "elk.port.side": "NORTH", "elk.port.index": "0" } },
      // ELK counts ports clockwise, so on the bottom side the first port is the rightmost
      ...handles.map((handle, index) => ({
        id: `${node.id}::${handle.id}`,
        layoutOptions: { "elk.port.side": "SOUTH", "elk.port.index": String(handles.length - index) },
      })),
    ];
    const inner = children.get(node.id);
    const base: ElkNode = {
      id: node.id,
      ports,
      layoutOptions: { "elk.portConstraints": "FIXED_ORDER" },
    };
    if (node.type === "container") {
      return {
        ...base,
        children: (inner ?? []).map(toElk),
        edges: edgesIn.get(node.id) ?? [],
        layoutOptions: {
          ...base.layoutOptions,
          ...BASE_OPTIONS,
          "elk.padding": `[top=${CONTAINER_PADDING.top},left=${CONTAINER_PADDING.side},bottom=${CONTAINER_PADDING.bottom},right=${CONTAINER_PADDING.side}]`,
          "elk.nodeSize.constraints": "MINIMUM_SIZE",
          "elk.nodeSize.minimum": "(280,160)",
        },
        ...(inner?.length ? {} : nodeSize(node)),
      };
    }
    return { ...base, ...nodeSize(node) };
  };

  const graph: ElkNode = {
    id: "__root__",
    layoutOptions: { ...BASE_OPTIONS, "elk.hierarchyHandling": "INCLUDE_CHILDREN" },
    children: (children.get(undefined) ?? []).map(toElk),
    edges: edgesIn.get(undefined) ?? [],
  };
  const result = await elk.layout(graph);
  const layout: Layout = new Map();
  const visit = (node: ElkNode) => {
    for (const child of node.children ?? []) {
      layout.set(child.id, {
        position: { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) },
        size:
          child.children?.length && child.width && child.height
            ? { width: Math.round(child.width), height: Math.round(child.height) }
            : undefined,
      });
      visit(child);
    }
  };
  visit(result);
  return layout;
}

/** A document drawn without a layout (nodes piled on one spot) is laid out when it opens. */
export function needsLayout(nodes: readonly FlowNode[]): boolean {
  if (nodes.length < 2) return false;
  const spots = new Set(nodes.map((node) => `${node.parentId ?? ""}@${node.position.x},${node.position.y}`));
  return spots.size <= nodes.length / 2;
}

/** The least zoom at which a node's label can be read. */
export const READABLE_ZOOM = 0.6;
/** Room around what a graph opens on, as React Flow's fitView counts it: a part of its size. */
const OPENING_PADDING = 0.2;

type Box = { x: number; y: number; width: number; height: number };

function union(a: Box | null, b: Box): Box {
  if (!a) return b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

/**
 * Where a graph opens in a view of `view` size: all of it, when that leaves its labels readable
 * (at READABLE_ZOOM or more, and never above 1); else its entry: the Start node and what follows
 * it, in the order the graph is read (a container's header, then the steps it begins with, then
 * what comes after it), as many as the view holds at a readable zoom. Hidden nodes (inside a
 * collapsed container) are left out.
 */
export function openingViewport(
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  view: { width: number; height: number },
): { x: number; y: number; zoom: number } | null {
  const shown = nodes.filter((node) => !node.hidden);
  if (!shown.length) return null;
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const boxOf = (node: FlowNode): Box => ({ ...absolutePosition(node, byId), ...nodeSize(node) });
  const room = { width: view.width / (1 + OPENING_PADDING), height: view.height / (1 + OPENING_PADDING) };
  const zoomFor = (box: Box) => Math.min(room.width / Math.max(box.width, 1), room.height / Math.max(box.height, 1), 1);

  let bounds = shown.reduce<Box | null>((all, node) => union(all, boxOf(node)), null) as Box;
  if (zoomFor(bounds) < READABLE_ZOOM) bounds = entryBounds(shown, edges, boxOf, (box) => zoomFor(box) >= READABLE_ZOOM);
  const zoom = zoomFor(bounds);
  return {
    x: view.width / 2 - (bounds.x + bounds.width / 2) * zoom,
    y: view.height / 2 - (bounds.y + bounds.height / 2) * zoom,
    zoom,
  };
}

/** The box around the graph's entry that still `fits`, growing in reading order from Start. */
function entryBounds(
  shown: readonly FlowNode[],
  edges: readonly FlowEdge[],
  boxOf: (node: FlowNode) => Box,
  fits: (box: Box) => boolean,
): Box {
  const parents = new Set(shown.map((node) => node.parentId));
  let bounds: Box | null = null;
  for (const node of readingOrder(shown, edges, boxOf)) {
    // an open container counts by the start of its header (a wide one would not fit whole);
    // the steps inside it follow it
    const box = boxOf(node);
    const header = { ...box, width: Math.min(box.width, CONTAINER_MIN.width), height: Math.min(box.height, CONTAINER_PADDING.top) };
    const grown = union(bounds, parents.has(node.id) ? header : box);
    if (bounds && !fits(grown)) break;
    bounds = grown;
  }
  return bounds as Box;
}

/**
 * The nodes reachable from Start (else from the topmost node) in the order the graph is read:
 * breadth first along the edges, a container's inside, from the steps it begins with, read
 * whole before what follows the container.
 */
function readingOrder(
  shown: readonly FlowNode[],
  edges: readonly FlowEdge[],
  boxOf: (node: FlowNode) => Box,
): FlowNode[] {
  const byId = new Map(shown.map((node) => [node.id, node]));
  const next = new Map<string, FlowNode[]>();
  const entered = new Set<string>();
  for (const edge of edges) {
    const target = byId.get(edge.target);
    if (edge.hidden || !byId.has(edge.source) || !target) continue;
    next.set(edge.source, [...(next.get(edge.source) ?? []), target]);
    entered.add(edge.target);
  }
  const children = new Map<string, FlowNode[]>();
  for (const node of shown) {
    if (node.parentId) children.set(node.parentId, [...(children.get(node.parentId) ?? []), node]);
  }
  const order: FlowNode[] = [];
  const seen = new Set<string>();
  const readScope = (first: FlowNode[]) => {
    const queue = first.filter((node) => !seen.has(node.id));
    for (const node of queue) seen.add(node.id);
    for (const node of queue) {
      order.push(node);
      readScope((children.get(node.id) ?? []).filter((child) => !entered.has(child.id)));
      for (const after of next.get(node.id) ?? []) {
        if (seen.has(after.id)) continue;
        seen.add(after.id);
        queue.push(after);
      }
    }
  };
  const starts = shown.filter((node) => node.data.kind === "start");
  readScope(starts.length ? starts : [shown.reduce((top, node) => (boxOf(node).y < boxOf(top).y ? node : top))]);
  return order;
}

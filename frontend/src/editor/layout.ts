// Auto-layout with elkjs: layered, top to bottom, containers laid out with their children inside.
import type { XYPosition } from "@xyflow/react";
import type { ElkExtendedEdge, ElkNode, ElkPort } from "elkjs/lib/elk-api";

import type { Catalogue } from "../document/catalogue";
import { outputHandles } from "../document/catalogue";
import { CONTAINER_PADDING, type FlowEdge, type FlowNode, nodeSize } from "../document/mapping";

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

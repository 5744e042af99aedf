// The one boundary between the saved document and React Flow's state. Nothing else converts
// between the two, and raw React Flow state is never persisted.
import type { Edge, Node, XYPosition } from "@xyflow/react";

import type { DocEdge, DocNode, Workflow, WorkflowMeta } from "../api/types";
import { type Catalogue, edgeLabel, isContainer } from "./catalogue";

export interface StepData extends Record<string, unknown> {
  kind: string;
  label: string;
  config: Record<string, unknown>;
}

export type FlowNode = Node<StepData, "step" | "container">;

export interface PortEdgeData extends Record<string, unknown> {
  /** The port's name as shown on the edge; empty for a kind's only way out. */
  label: string;
}

export type FlowEdge = Edge<PortEdgeData, "port">;

export const STEP_WIDTH = 220;
export const STEP_HEIGHT = 64;
export const CONTAINER_MIN = { width: 280, height: 160 };
/** Room around a container's children: a header above them, padding on the other sides. */
export const CONTAINER_PADDING = { top: 48, side: 24, bottom: 32 };

export interface FlowGraph {
  nodes: FlowNode[];
  edges: FlowEdge[];
  meta: WorkflowMeta;
}

export function documentToFlow(workflow: Workflow, catalogue: Catalogue): FlowGraph {
  const { nodes, edges, ...meta } = workflow;
  const flowNodes = parentsFirst(nodes).map((node) => nodeToFlow(node, catalogue));
  const byId = new Map(flowNodes.map((node) => [node.id, node]));
  for (const node of flowNodes) {
    if (node.type === "container" && node.width === undefined) {
      const size = fittingSize(node.id, flowNodes);
      node.width = size.width;
      node.height = size.height;
    }
  }
  return {
    nodes: flowNodes,
    edges: edges.map((edge) => edgeToFlow(edge, byId, catalogue)),
    meta,
  };
}

export function nodeToFlow(node: DocNode, catalogue: Catalogue): FlowNode {
  const container = isContainer(catalogue.kinds.get(node.type));
  const flow: FlowNode = {
    id: node.id,
    type: container ? "container" : "step",
    position: { x: node.position?.x ?? 0, y: node.position?.y ?? 0 },
    data: { kind: node.type, label: node.label ?? "", config: node.config ?? {} },
  };
  if (node.parent_id) flow.parentId = node.parent_id;
  if (node.size) {
    flow.width = node.size.width;
    flow.height = node.size.height;
  }
  if (container) flow.zIndex = -1;
  return flow;
}

export function edgeToFlow(
  edge: DocEdge,
  byId: ReadonlyMap<string, FlowNode>,
  catalogue: Catalogue,
): FlowEdge {
  const source = byId.get(edge.source);
  const kind = source ? catalogue.kinds.get(source.data.kind) : undefined;
  const handle = edge.source_handle ?? "out";
  return {
    id: edge.id,
    type: "port",
    source: edge.source,
    sourceHandle: handle,
    target: edge.target,
    targetHandle: edge.target_handle ?? "in",
    data: { label: edgeLabel(kind, handle) },
  };
}

export function flowToDocument(
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  meta: WorkflowMeta,
): Workflow {
  return { ...meta, nodes: nodes.map(flowNodeToDocument), edges: edges.map(flowEdgeToDocument) };
}

export function flowNodeToDocument(node: FlowNode): DocNode {
  const width = node.width ?? node.style?.width;
  const height = node.height ?? node.style?.height;
  return {
    id: node.id,
    type: node.data.kind,
    label: node.data.label,
    position: { x: node.position.x, y: node.position.y },
    size:
      typeof width === "number" && typeof height === "number" && width > 0 && height > 0
        ? { width, height }
        : null,
    parent_id: node.parentId ?? null,
    config: node.data.config,
  };
}

export function flowEdgeToDocument(edge: FlowEdge): DocEdge {
  return {
    id: edge.id,
    source: edge.source,
    source_handle: edge.sourceHandle ?? "out",
    target: edge.target,
    target_handle: edge.targetHandle ?? "in",
  };
}

/** React Flow wants a container before its children in the list: containers are moved up
 * where needed, and every other node keeps its place. */
export function parentsFirst<T extends { id: string; parent_id?: string | null }>(
  nodes: readonly T[],
): T[] {
  const ids = new Set(nodes.map((node) => node.id));
  const placed = new Set<string>();
  const ordered: T[] = [];
  const visiting = new Set<string>();
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const place = (node: T) => {
    if (placed.has(node.id) || visiting.has(node.id)) return;
    visiting.add(node.id);
    const parent = node.parent_id && ids.has(node.parent_id) ? byId.get(node.parent_id) : undefined;
    if (parent) place(parent);
    visiting.delete(node.id);
    placed.add(node.id);
    ordered.push(node);
  };
  nodes.forEach(place);
  return ordered;
}

/** A node's position on the canvas, adding up the positions of the containers it sits in. */
export function absolutePosition(
  node: FlowNode,
  byId: ReadonlyMap<string, FlowNode>,
): XYPosition {
  let x = node.position.x;
  let y = node.position.y;
  const seen = new Set([node.id]);
  let parentId = node.parentId;
  while (parentId && !seen.has(parentId)) {
    seen.add(parentId);
    const parent = byId.get(parentId);
    if (!parent) break;
    x += parent.position.x;
    y += parent.position.y;
    parentId = parent.parentId;
  }
  return { x, y };
}

export function nodeSize(node: FlowNode): { width: number; height: number } {
  if (node.type === "container") {
    return { width: node.width ?? CONTAINER_MIN.width, height: node.height ?? CONTAINER_MIN.height };
  }
  return {
    width: node.measured?.width ?? node.width ?? STEP_WIDTH,
    height: node.measured?.height ?? node.height ?? STEP_HEIGHT,
  };
}

/** The size a container needs to hold its children where they are. */
export function fittingSize(
  containerId: string,
  nodes: readonly FlowNode[],
): { width: number; height: number } {
  let width = CONTAINER_MIN.width;
  let height = CONTAINER_MIN.height;
  for (const child of nodes) {
    if (child.parentId !== containerId) continue;
    const size = nodeSize(child);
    width = Math.max(width, child.position.x + size.width + CONTAINER_PADDING.side);
    height = Math.max(height, child.position.y + size.height + CONTAINER_PADDING.bottom);
  }
  return { width, height };
}

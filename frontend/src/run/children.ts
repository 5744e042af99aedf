// The children of a spawn_children or work_queue node in a run, as
// `GET /api/runs/{id}/nodes/{node}/children` answers them (backend/routers/children.py; the
// types are generated from its models), and the pure logic the children view draws them with:
// tones, words, the counter, the layout.
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";

import { request } from "../api/client";
import type * as Api from "../api/gen/types.gen";
import type { NodeStatus } from "./types";

export type ChildItem = Api.ChildItem;
export type ChildStatus = ChildItem["status"];
export type WaitingFor = NonNullable<ChildItem["waiting_for"]>;
export type QueueFacts = Api.QueueFacts;
export type ChildrenView = Api.ChildrenView;

export const CHILDREN_KINDS = new Set(["spawn_children", "work_queue"]);

/** Polling period while the run is open (the endpoint is small and bounded). */
export const REFRESH_MS = 1500;

export function fetchChildren(workflowId: string, nodeId: string, runId?: string | null): Promise<ChildrenView> {
  const query = runId ? `?run_id=${encodeURIComponent(runId)}` : "";
  return request<ChildrenView>(
    "GET",
    `/runs/${encodeURIComponent(workflowId)}/nodes/${encodeURIComponent(nodeId)}/children${query}`,
  );
}

/** The order statuses are listed and counted in. */
export const STATUS_ORDER: ChildStatus[] = [
  "running",
  "waiting",
  "completed",
  "failed",
  "cancelled",
  "timed_out",
  "terminated",
  "skipped",
];

const TONES: Record<ChildStatus, string> = {
  waiting: "run-waiting",
  running: "run-running",
  completed: "run-completed",
  failed: "run-failed",
  cancelled: "run-ended",
  timed_out: "run-ended",
  terminated: "run-ended",
  skipped: "run-not-reached",
};

/** The CSS class (the canvas overlay's colours) of a child's status. */
export function childTone(status: ChildStatus): string {
  return TONES[status] ?? "run-not-reached";
}

export function statusLabel(status: ChildStatus): string {
  return status.replace(/_/g, " ");
}

/** "running 2 / limit 4" (`?` when the limit is read from state nobody can see). */
export function limitCounter(view: Pick<ChildrenView, "running" | "limit">): string {
  return `running ${view.running} / limit ${view.limit ?? "?"}`;
}

/** Why a waiting item waits, in words; "" for an item that does not wait. `short` names one
 *  dependency and counts the others ("waits for logger +2"), for a box. */
export function waitingWords(
  item: ChildItem,
  formatTime: (iso: string) => string = (iso) => iso,
  short = false,
): string {
  if (item.status !== "waiting") return "";
  switch (item.waiting_for) {
    case "dependencies":
      if (short && item.blocked_by.length > 1) return `waits for ${item.blocked_by[0]} +${item.blocked_by.length - 1}`;
      return `waits for ${item.blocked_by.join(", ")}`;
    case "limit":
      return "waits for a free slot";
    case "paused":
      return "queue paused";
    case "draining":
      return "queue draining";
    case "retry":
      return item.retry_at ? `retry at ${formatTime(item.retry_at)}` : "waits to retry";
    case "start":
      return "starts next";
    default:
      return "waiting";
  }
}

/** Items per status in STATUS_ORDER, leaving out the empty ones. */
export function countsInOrder(view: Pick<ChildrenView, "counts">): { status: ChildStatus; count: number }[] {
  return STATUS_ORDER.filter((status) => (view.counts[status] ?? 0) > 0).map((status) => ({
    status,
    count: view.counts[status] ?? 0,
  }));
}

/** Whether the view should ask again: only while its run is open. */
export function keepsChanging(view: Pick<ChildrenView, "closed"> | null): boolean {
  return view === null || !view.closed;
}

/** Whether the items are drawn as a dependency graph (else: grouped by status). */
export function drawsGraph(view: Pick<ChildrenView, "has_dependencies" | "edges">): boolean {
  return view.has_dependencies && view.edges.length > 0;
}

/** Whether an item has a run of its own to open. */
export function hasRun(item: ChildItem): boolean {
  return item.workflow_id !== null && (item.run_id !== null || item.attempts > 0);
}

/** The items grouped by status, in STATUS_ORDER, each group in the answer's order. */
export function groupByStatus(items: readonly ChildItem[]): { status: ChildStatus; items: ChildItem[] }[] {
  const groups = new Map<ChildStatus, ChildItem[]>();
  for (const item of items) {
    const list = groups.get(item.status) ?? [];
    list.push(item);
    groups.set(item.status, list);
  }
  return STATUS_ORDER.filter((status) => groups.has(status)).map((status) => ({ status, items: groups.get(status) ?? [] }));
}

/** What a layout depends on: the items and edges, not their statuses (a status change must not
 *  move the boxes). */
export function shapeKey(view: Pick<ChildrenView, "items" | "edges">): string {
  return JSON.stringify([view.items.map((item) => item.key), view.edges.map((e) => [e.source, e.target])]);
}

export const ITEM_WIDTH = 184;
export const ITEM_HEIGHT = 44;

/** The ELK graph of the items and their dependency edges (a dependency above what needs it). */
export function elkGraph(view: Pick<ChildrenView, "items" | "edges">): ElkNode {
  const keys = new Set(view.items.map((item) => item.key));
  const edges: ElkExtendedEdge[] = view.edges
    .filter((edge) => keys.has(edge.source) && keys.has(edge.target))
    .map((edge, index) => ({ id: `e${index}`, sources: [edge.source], targets: [edge.target] }));
  return {
    id: "__children__",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "40",
      "elk.spacing.nodeNode": "24",
      "elk.spacing.componentComponent": "32",
      "elk.edgeRouting": "POLYLINE",
    },
    children: view.items.map((item) => ({ id: item.key, width: ITEM_WIDTH, height: ITEM_HEIGHT })),
    edges,
  };
}

export interface ChildrenLayout {
  width: number;
  height: number;
  boxes: Map<string, { x: number; y: number }>;
  /** Each edge as the points of a polyline. */
  lines: { source: string; target: string; points: { x: number; y: number }[] }[];
}

/** Reads ELK's answer into boxes and polylines. */
export function readLayout(laid: ElkNode, view: Pick<ChildrenView, "edges">): ChildrenLayout {
  const boxes = new Map<string, { x: number; y: number }>();
  for (const child of laid.children ?? []) boxes.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  const lines: ChildrenLayout["lines"] = [];
  const drawn = view.edges.filter((e) => boxes.has(e.source) && boxes.has(e.target));
  for (const edge of laid.edges ?? []) {
    const original = drawn[Number(edge.id.slice(1))];
    const section = edge.sections?.[0];
    if (!original) continue;
    const points = section
      ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]
      : straight(boxes.get(original.source), boxes.get(original.target));
    lines.push({ source: original.source, target: original.target, points });
  }
  return { width: laid.width ?? 0, height: laid.height ?? 0, boxes, lines };
}

function straight(from?: { x: number; y: number }, to?: { x: number; y: number }): { x: number; y: number }[] {
  if (!from || !to) return [];
  return [
    { x: from.x + ITEM_WIDTH / 2, y: from.y + ITEM_HEIGHT },
    { x: to.x + ITEM_WIDTH / 2, y: to.y },
  ];
}

export async function layoutChildren(view: Pick<ChildrenView, "items" | "edges">): Promise<ChildrenLayout> {
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  const laid = await new ELK().layout(elkGraph(view));
  return readLayout(laid, view);
}

/** The node state's words for the node's own badge (`NodeStatus` or the view's `node_status`). */
export function nodeStatusTone(status: string): string {
  const tones: Partial<Record<NodeStatus, string>> = {
    running: "run-running",
    completed: "run-completed",
    failed: "run-failed",
    waiting: "run-waiting",
    retrying: "run-retrying",
  };
  return tones[status as NodeStatus] ?? "run-ended";
}

// The canvas's edge routes: the boxes and ports React Flow has placed are sent to the routing
// worker a moment after the graph stops changing (never during a drag), and the routes it answers
// are kept in a small store each edge reads its own route from.
import { type Edge, type InternalNode, type Node, useStoreApi } from "@xyflow/react";
import { createContext, useContext, useEffect, useState } from "react";
import { useStore } from "zustand";
import { createStore, type StoreApi } from "zustand/vanilla";

import { STEP_HEIGHT, STEP_WIDTH } from "../document/mapping";
import type { Point } from "./geometry";
import type { Route, RouteNode, RouteRequest, RoutingInput, RoutingResult } from "./routing";

/** How long the graph must stay still before its edges are routed again. */
const SETTLE_MS = 120;
/** A container's header (styles.css `.container-header`), which edges inside it go around. */
const HEADER_HEIGHT = 36;

export interface RoutesState {
  routes: ReadonlyMap<string, Route>;
}

export type RoutesStore = StoreApi<RoutesState>;

export const RoutesContext = createContext<RoutesStore | null>(null);

/** The route found for an edge, if any yet. */
export function useRoute(id: string): Route | undefined {
  const store = useContext(RoutesContext);
  return useStore(store ?? emptyStore, (state) => state.routes.get(id));
}

const emptyStore: RoutesStore = createStore<RoutesState>()(() => ({ routes: new Map() }));

/** Whether a route was found for the ports where they are now (not where they were before a
 * drag that is moving them). */
export function routeFits(route: Route | undefined, from: Point, to: Point): route is Route {
  if (!route || route.fallback) return false;
  const first = route.points[0];
  const last = route.points[route.points.length - 1];
  return !!first && !!last && near(first, from) && near(last, to);
}

const near = (a: Point, b: Point) => Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5;

/**
 * Routes the edges of the React Flow canvas this is called in, in a worker; answers the store to
 * give the edges (through RoutesContext). `isCollapsed` tells a folded container, which is in the
 * way of every edge like a step.
 */
export function useEdgeRouting(isCollapsed: (id: string) => boolean): RoutesStore {
  const flow = useStoreApi<Node, Edge>();
  const [store] = useState(() => createStore<RoutesState>()(() => ({ routes: new Map() })));
  useEffect(() => {
    const worker = new Worker(new URL("./routing.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<RoutingResult & { milliseconds: number }>) => {
      const { routes, removed, spread, milliseconds } = event.data;
      const next = new Map(store.getState().routes);
      for (const id of removed) next.delete(id);
      for (const [id, route] of Object.entries(routes)) next.set(id, route);
      store.setState({ routes: next });
      // the time the routing took, for scripts/bench_editor.py
      performance.measure("wfd:edge-routes", {
        start: performance.now() - milliseconds,
        duration: milliseconds,
        detail: { routed: Object.keys(routes).length, spread },
      });
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      const { nodes } = flow.getState();
      if (nodes.some((node) => node.dragging)) return;
      timer = setTimeout(() => worker.postMessage(routingInput(flow.getState(), isCollapsed)), SETTLE_MS);
    };
    schedule();
    const unsubscribe = flow.subscribe((state, previous) => {
      if (state.nodes !== previous.nodes || state.edges !== previous.edges) schedule();
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
      worker.terminate();
    };
  }, [flow, store, isCollapsed]);
  return store;
}

interface FlowState {
  nodeLookup: ReadonlyMap<string, InternalNode>;
  edges: readonly Edge[];
}

/** The boxes of the drawn nodes and the ports of the drawn edges, on the canvas. */
export function routingInput(state: FlowState, isCollapsed: (id: string) => boolean): RoutingInput {
  const nodes: RouteNode[] = [];
  for (const internal of state.nodeLookup.values()) {
    if (internal.hidden) continue;
    const { x, y } = internal.internals.positionAbsolute;
    const width = internal.measured.width ?? internal.width ?? STEP_WIDTH;
    const height = internal.measured.height ?? internal.height ?? STEP_HEIGHT;
    const node: RouteNode = { id: internal.id, box: { x, y, width, height } };
    if (internal.parentId) node.parentId = internal.parentId;
    if (internal.type === "container" && !isCollapsed(internal.id)) {
      node.header = { x, y, width, height: HEADER_HEIGHT };
    }
    nodes.push(node);
  }
  const edges: RouteRequest[] = [];
  for (const edge of state.edges) {
    if (edge.type !== "port" || edge.hidden) continue;
    const source = state.nodeLookup.get(edge.source);
    const target = state.nodeLookup.get(edge.target);
    const from = source && portPoint(source, "source", edge.sourceHandle ?? "out");
    const to = target && portPoint(target, "target", edge.targetHandle ?? "in");
    if (from && to) edges.push({ id: edge.id, source: edge.source, target: edge.target, from, to });
  }
  return { nodes, edges };
}

/** Where React Flow ends an edge at a port: the middle of an output's bottom side, of an
 * input's top side. */
function portPoint(node: InternalNode, type: "source" | "target", id: string): Point | undefined {
  const handle = node.internals.handleBounds?.[type]?.find((bounds) => bounds.id === id);
  if (!handle) return undefined;
  const { x, y } = node.internals.positionAbsolute;
  return { x: x + handle.x + handle.width / 2, y: y + handle.y + (type === "source" ? handle.height : 0) };
}

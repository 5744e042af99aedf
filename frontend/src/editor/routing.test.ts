import { describe, expect, it } from "vitest";

import type { Box, Point } from "./geometry";
import {
  crosses,
  MARGIN,
  obstaclesFor,
  roundedPath,
  routeEdge,
  Router,
  type RouteNode,
  type RouteRequest,
  stepPath,
} from "./routing";

const box = (x: number, y: number, width = 220, height = 64): Box => ({ x, y, width, height });
const bottom = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y + b.height });
const top = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y });

function bends(points: readonly Point[]): number {
  return Math.max(0, points.length - 2);
}

function crossed(points: readonly Point[], boxes: readonly Box[]): Box[] {
  return boxes.filter((b) => points.slice(1).some((point, i) => crosses(points[i]!, point, b)));
}

function orthogonal(points: readonly Point[]): boolean {
  return points.slice(1).every((point, i) => point.x === points[i]!.x || point.y === points[i]!.y);
}

describe("routeEdge", () => {
  it("goes straight down between two nodes in a column", () => {
    const a = box(0, 0);
    const b = box(0, 200);
    const route = routeEdge(bottom(a), top(b), [a, b]);
    expect(route.fallback).toBe(false);
    expect(route.points).toEqual([bottom(a), top(b)]);
  });

  it("takes two bends to a node below and aside", () => {
    const a = box(0, 0);
    const b = box(400, 200);
    const route = routeEdge(bottom(a), top(b), [a, b]);
    expect(bends(route.points)).toBe(2);
    expect(orthogonal(route.points)).toBe(true);
    expect(crossed(route.points, [a, b])).toEqual([]);
  });

  it("goes around a node standing between the ports, keeping a margin", () => {
    const a = box(0, 0);
    const middle = box(0, 150);
    const b = box(0, 300);
    const route = routeEdge(bottom(a), top(b), [a, middle, b]);
    expect(route.fallback).toBe(false);
    expect(orthogonal(route.points)).toBe(true);
    const kept = { x: middle.x - MARGIN + 1, y: middle.y - MARGIN + 1, width: middle.width + 2 * MARGIN - 2, height: middle.height + 2 * MARGIN - 2 };
    expect(crossed(route.points, [a, kept, b])).toEqual([]);
    // round one side of it: down, aside, down past it, back, down
    expect(bends(route.points)).toBe(4);
  });

  it("goes round the source and up to a target above it", () => {
    const a = box(0, 300);
    const b = box(0, 0);
    const route = routeEdge(bottom(a), top(b), [a, b]);
    expect(route.fallback).toBe(false);
    expect(route.points[0]).toEqual(bottom(a));
    expect(route.points[route.points.length - 1]).toEqual(top(b));
    expect(crossed(route.points, [a, b])).toEqual([]);
  });

  it("finds a way through a gap in a wall of nodes", () => {
    const a = box(0, 0);
    const wall = [box(-600, 150), box(-360, 150), box(60, 150, 600), box(-120, 150, 120)];
    // the one gap is between x = 0 and x = 60 (wider than two margins)
    const b = box(0, 400);
    const route = routeEdge(bottom(a), top(b), [a, ...wall, b]);
    expect(route.fallback).toBe(false);
    expect(crossed(route.points, [a, ...wall, b])).toEqual([]);
  });

  it("falls back to a step path when the target is walled in", () => {
    const a = box(0, 0);
    const b = box(0, 300);
    const walls = [box(-100, 200, 420, 20), box(-100, 380, 420, 20), box(-100, 200, 20, 200), box(300, 200, 20, 200)];
    const route = routeEdge(bottom(a), top(b), [a, b, ...walls]);
    expect(route.fallback).toBe(true);
    expect(route.points).toEqual(stepPath(bottom(a), top(b)));
    expect(orthogonal(route.points)).toBe(true);
  });
});

describe("obstaclesFor", () => {
  const nodes = new Map<string, RouteNode>([
    ["phase", { id: "phase", box: box(0, 0, 600, 400), header: box(0, 0, 600, 36) }],
    ["inner", { id: "inner", box: box(24, 48), parentId: "phase" }],
    ["other", { id: "other", box: box(800, 0, 600, 400), header: box(800, 0, 600, 36) }],
    ["outside", { id: "outside", box: box(0, 600) }],
  ]);

  it("lets an edge into its own containers, around their headers, and around every other box", () => {
    const boxes = obstaclesFor({ id: "e", source: "inner", target: "outside", from: { x: 0, y: 0 }, to: { x: 0, y: 0 } }, nodes);
    expect(boxes).toContainEqual(box(0, 0, 600, 36));
    expect(boxes).not.toContainEqual(box(0, 0, 600, 400));
    expect(boxes).toContainEqual(box(800, 0, 600, 400));
    expect(boxes).toContainEqual(box(24, 48));
  });

  it("routes out of a container without crossing its header or a sibling", () => {
    const inner = nodes.get("inner")!.box;
    const outside = nodes.get("outside")!.box;
    const request = { id: "e", source: "inner", target: "outside", from: bottom(inner), to: top(outside) };
    const route = routeEdge(request.from, request.to, obstaclesFor(request, nodes));
    expect(route.fallback).toBe(false);
    expect(crossed(route.points, [inner, outside, box(0, 0, 600, 36), box(800, 0, 600, 400)])).toEqual([]);
  });
});

describe("Router", () => {
  const column = (offset = 0): RouteNode[] => [
    { id: "a", box: box(0, 0) },
    { id: "b", box: box(0, 300) },
    { id: "far", box: box(3000 + offset, 3000) },
    { id: "c", box: box(3000, 3300) },
  ];
  const edges = (nodes: RouteNode[]) => {
    const at = new Map(nodes.map((node) => [node.id, node.box]));
    return [
      { id: "ab", source: "a", target: "b", from: bottom(at.get("a")!), to: top(at.get("b")!) },
      { id: "fc", source: "far", target: "c", from: bottom(at.get("far")!), to: top(at.get("c")!) },
    ];
  };

  it("routes every edge first, then only the edges near what moved", () => {
    const router = new Router();
    const first = router.update({ nodes: column(), edges: edges(column()) });
    expect(Object.keys(first.routes).sort()).toEqual(["ab", "fc"]);
    expect(router.update({ nodes: column(), edges: edges(column()) }).routes).toEqual({});
    const moved = column(40);
    const second = router.update({ nodes: moved, edges: edges(moved) });
    expect(Object.keys(second.routes)).toEqual(["fc"]);
  });

  it("re-routes an edge when a node moves into its way, and forgets removed edges", () => {
    const router = new Router();
    router.update({ nodes: column(), edges: edges(column()) });
    const blocker: RouteNode = { id: "blocker", box: box(0, 150) };
    const nodes = [...column(), blocker];
    const next = router.update({ nodes, edges: edges(nodes) });
    expect(Object.keys(next.routes)).toEqual(["ab"]);
    expect(crossed(next.routes.ab!.points, [blocker.box])).toEqual([]);
    expect(router.update({ nodes, edges: edges(nodes).slice(1) }).removed).toEqual(["ab"]);
  });
});

/** The editor benchmark's workflow (scripts/bench_editor.py): Start, ten phases of chained
 * steps laid out in rows, End. */
function benchGraph(): { nodes: RouteNode[]; edges: RouteRequest[] } {
  const nodes: RouteNode[] = [{ id: "start", box: box(0, -200) }];
  const edges: RouteRequest[] = [];
  const link = (source: string, target: string) => {
    const from = nodes.find((node) => node.id === source)!.box;
    const to = nodes.find((node) => node.id === target)!.box;
    edges.push({ id: `${source}->${target}`, source, target, from: bottom(from), to: top(to) });
  };
  let previous = "start";
  for (let phase = 0; phase < 10; phase += 1) {
    const at = { x: (phase % 5) * 2800, y: Math.floor(phase / 5) * 1400 };
    const phaseBox = box(at.x, at.y, 10 * 260 + 48, 10 * 110 + 96);
    nodes.push({ id: `phase${phase}`, box: phaseBox, header: { ...phaseBox, height: 36 } });
    link(previous, `phase${phase}`);
    previous = `phase${phase}`;
    // 988 steps in all, as many in each phase as can be
    for (let step = 0; step < (phase < 8 ? 99 : 98); step += 1) {
      const id = `phase${phase}.${step}`;
      const position = { x: at.x + 24 + (step % 10) * 260, y: at.y + 56 + Math.floor(step / 10) * 110 };
      nodes.push({ id, box: box(position.x, position.y), parentId: `phase${phase}` });
      if (step) link(`phase${phase}.${step - 1}`, id);
    }
  }
  nodes.push({ id: "end", box: box(0, 3000) });
  link(previous, "end");
  return { nodes, edges };
}

describe("a 1,000-node graph", () => {
  it("routes every edge clear of every node and header in its way", () => {
    const graph = benchGraph();
    expect(graph.nodes.length).toBe(1000);
    const routes = new Router().update(graph).routes;
    const byId = new Map(graph.nodes.map((node) => [node.id, node]));
    for (const edge of graph.edges) {
      const route = routes[edge.id]!;
      expect(route.fallback, edge.id).toBe(false);
      expect(crossed(route.points, obstaclesFor(edge, byId)), edge.id).toEqual([]);
    }
  });
});

describe("roundedPath", () => {
  it("draws straight lines with rounded corners through the points", () => {
    const d = roundedPath([
      { x: 0, y: 0 },
      { x: 0, y: 100 },
      { x: 100, y: 100 },
    ]);
    expect(d).toBe("M 0,0 L 0,90 Q 0,100 10,100 L 100,100");
  });
});

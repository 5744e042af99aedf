import { describe, expect, it } from "vitest";

import { LANE, overlappingRoutes, spreadRoutes, STUB } from "./channels";
import type { Box, Point } from "./geometry";
import { crosses, routeEdge, Router, type RouteNode, type RouteRequest } from "./routing";

const box = (x: number, y: number, width = 220, height = 64): Box => ({ x, y, width, height });
const bottom = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y + b.height });
const top = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y });

const orthogonal = (points: readonly Point[]) =>
  points.slice(1).every((point, i) => point.x === points[i]!.x || point.y === points[i]!.y);

function graph(nodes: RouteNode[], links: [string, string][]): { nodes: RouteNode[]; edges: RouteRequest[] } {
  const at = new Map(nodes.map((node) => [node.id, node.box]));
  const edges = links.map(([source, target]) => ({
    id: `${source}-${target}`,
    source,
    target,
    from: bottom(at.get(source)!),
    to: top(at.get(target)!),
  }));
  return { nodes, edges };
}

/** Every edge's route, first as found alone, then as the router answers them, spread. */
function routed(input: { nodes: RouteNode[]; edges: RouteRequest[] }) {
  const boxes = input.nodes.map((node) => node.box);
  const alone = input.edges.map((edge) => routeEdge(edge.from, edge.to, boxes).points);
  const answer = new Router().update(input).routes;
  const spread = input.edges.map((edge) => answer[edge.id]!.points);
  return { boxes, alone, spread };
}

function expectReadable(input: { nodes: RouteNode[]; edges: RouteRequest[] }) {
  const { boxes, alone, spread } = routed(input);
  expect(overlappingRoutes(alone).length).toBeGreaterThan(0);
  expect(overlappingRoutes(spread)).toEqual([]);
  input.edges.forEach((edge, i) => {
    const points = spread[i]!;
    expect(points[0]).toEqual(edge.from);
    expect(points[points.length - 1]).toEqual(edge.to);
    expect(orthogonal(points), edge.id).toBe(true);
    for (const b of boxes) {
      expect(points.slice(1).some((point, k) => crosses(points[k]!, point, b)), edge.id).toBe(false);
    }
  });
  return spread;
}

describe("spreading routes that share a channel", () => {
  it("pulls apart two edges that would run along the same stretch, keeping their ports", () => {
    // a -> c and b -> d both cross over at the same height, over a common stretch
    const input = graph(
      [
        { id: "a", box: box(0, 0) },
        { id: "b", box: box(260, 0) },
        { id: "c", box: box(520, 400) },
        { id: "d", box: box(780, 400) },
      ],
      [
        ["a", "c"],
        ["b", "d"],
      ],
    );
    const [ac, bd] = expectReadable(input);
    // a lane either side of the line they shared, neither crossing the other
    const across = (points: Point[]) => points.find((point, k) => k > 0 && point.y === points[k - 1]!.y)!.y;
    expect(Math.abs(across(ac!) - across(bd!))).toBeGreaterThanOrEqual(6);
  });

  it("fans out edges coming into one join, apart from the stub at its port", () => {
    const input = graph(
      [
        { id: "a", box: box(0, 0) },
        { id: "b", box: box(260, 0) },
        { id: "c", box: box(520, 0) },
        { id: "join", box: box(260, 400) },
      ],
      [
        ["a", "join"],
        ["b", "join"],
        ["c", "join"],
      ],
    );
    const spread = expectReadable(input);
    const port = top(input.nodes[3]!.box);
    for (const points of spread) {
      const beforeStub = points[points.length - 2]!;
      expect(beforeStub.x).toBe(port.x);
      expect(port.y - beforeStub.y).toBeLessThanOrEqual(STUB + 2 * LANE);
    }
  });

  it("leaves routes that share no channel as they are", () => {
    const points = [
      [
        { x: 0, y: 0 },
        { x: 0, y: 100 },
      ],
      [
        { x: 50, y: 0 },
        { x: 50, y: 100 },
      ],
    ];
    const spread = spreadRoutes(points.map((p) => ({ points: p, boxes: () => [] })));
    expect(spread[0]).toBe(points[0]);
    expect(spread[1]).toBe(points[1]);
  });
});

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

describe("spreading again after a change", () => {
  /** A small random number generator, the same numbers for the same seed. */
  function random(seed: number) {
    let state = seed;
    return () => {
      state = (state * 1664525 + 1013904223) % 4294967296;
      return state / 4294967296;
    };
  }

  /** Rows of nodes with gaps, each node linked to one or two nodes of the row below. */
  function randomNodes(next: () => number, rows = 8, columns = 6): { nodes: RouteNode[]; links: [string, string][] } {
    const nodes: RouteNode[] = [];
    for (let row = 0; row < rows; row += 1) {
      for (let column = 0; column < columns; column += 1) {
        if (next() < 0.15) continue;
        nodes.push({ id: `n${row}-${column}`, box: box(column * 300, row * 200) });
      }
    }
    const links: [string, string][] = [];
    const rowOf = (node: RouteNode) => Number(node.id.slice(1).split("-")[0]);
    for (const node of nodes) {
      const below = nodes.filter((other) => rowOf(other) === rowOf(node) + 1);
      for (let k = Math.floor(next() * 2); k >= 0 && below.length; k -= 1) {
        links.push([node.id, below.splice(Math.floor(next() * below.length), 1)[0]!.id]);
      }
    }
    return { nodes, links };
  }

  /** Every edge's route as a router last drew it, from all its answers so far. */
  function drawing(router: Router) {
    const drawn = new Map<string, Point[]>();
    return (input: { nodes: RouteNode[]; edges: RouteRequest[] }) => {
      const answer = router.update(input);
      for (const [id, route] of Object.entries(answer.routes)) drawn.set(id, route.points);
      for (const id of answer.removed) drawn.delete(id);
      return { spread: answer.spread, routes: input.edges.map((edge) => drawn.get(edge.id)!) };
    };
  }

  it("after a node is dragged, spreads only the routes near it, as a full spread would", () => {
    let spread = 0;
    let edges = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const next = random(seed);
      const generated = randomNodes(next);
      const links = generated.links;
      let nodes = generated.nodes;
      const incremental = drawing(new Router());
      incremental(graph(nodes, links));
      for (let drag = 0; drag < 4; drag += 1) {
        // one node dragged a little sideways: its edges and those around it are routed again
        const dragged = nodes[Math.floor(next() * nodes.length)]!;
        const dx = Math.round((next() - 0.5) * 6) * 10;
        nodes = nodes.map((node) => (node === dragged ? { ...node, box: { ...node.box, x: node.box.x + dx } } : node));
        const input = graph(nodes, links);
        const again = incremental(input);
        const full = drawing(new Router(true))(input).routes;

        // the random graph has edges a spread cannot part (ports too near each other): the
        // spread after a drag leaves no other pair overlapping than a full spread does
        const overlapping = new Set(overlappingRoutes(full).map((pair) => pair.join()));
        const after = overlappingRoutes(again.routes).map((pair) => pair.join());
        expect(after.filter((pair) => !overlapping.has(pair)), `seed ${seed}, drag ${drag}`).toEqual([]);
        expect(after.length, `seed ${seed}, drag ${drag}`).toBe(overlapping.size);
        spread += again.spread;
        edges += input.edges.length;
      }
    }
    // and it did not spread everything again: the routes spread anew are a few of them
    expect(spread).toBeGreaterThan(0);
    expect(spread).toBeLessThan(edges / 2);
  });
});

// Edge routes: orthogonal paths that go around the nodes and container headers between an edge's
// ports, found by A* on a sparse grid whose lines are the obstacles' sides (kept `MARGIN` away)
// and the ports' coordinates. Bends cost extra, so a clear way is taken with as few as possible.
// Pure functions of boxes and points on the canvas; the worker in routing.worker.ts runs them.
import { sharingChannels, spreadRoutes } from "./channels";
import { type Box, type Point, simplify } from "./geometry";

/** Room kept between a route and the boxes it goes around. */
export const MARGIN = 12;
/** What a bend costs, in pixels of length. */
export const BEND_COST = 48;
/** How far around its ports' box a route first looks for obstacles; a route not found so is
 * looked for in a four times wider area, then among all the boxes. */
const REACH = 160;

/** A node as the router sees it. */
export interface RouteNode {
  id: string;
  box: Box;
  parentId?: string;
  /** For an open container: its header, the one part of it an edge inside it must go around. */
  header?: Box;
}

/** An edge to route: it leaves `source` downward from its port and enters `target` from above. */
export interface RouteRequest {
  id: string;
  source: string;
  target: string;
  from: Point;
  to: Point;
}

export interface Route {
  /** The corners of the path, ports included. */
  points: Point[];
  /** No clear way was found: the points are a plain step path. */
  fallback: boolean;
  /** The area whose boxes the route was found among: a change there may change it. */
  area: Box;
}

/** The boxes an edge must go around: every node but the containers it starts or ends in, whose
 * headers alone are in its way. */
export function obstaclesFor(request: RouteRequest, nodes: ReadonlyMap<string, RouteNode>): Box[] {
  const own = new Set<string>();
  for (const end of [request.source, request.target]) {
    let parent = nodes.get(end)?.parentId;
    while (parent && !own.has(parent)) {
      own.add(parent);
      parent = nodes.get(parent)?.parentId;
    }
  }
  const boxes: Box[] = [];
  for (const node of nodes.values()) {
    if (!own.has(node.id)) boxes.push(node.box);
    else if (node.header) boxes.push(node.header);
  }
  return boxes;
}

/** The route of one edge among `obstacles` (boxes on the canvas, not yet inflated). */
export function routeEdge(from: Point, to: Point, obstacles: readonly Box[]): Route {
  const start = { x: from.x, y: from.y + MARGIN };
  const end = { x: to.x, y: to.y - MARGIN };
  // a box the route cannot leave (a port inside it) is one it cannot go around either
  const usable = (box: Box) => !strictlyInside(start, box) && !strictlyInside(end, box);
  const ends = boundsOfPoints([from, to]);
  for (const reach of [REACH, 4 * REACH]) {
    const area = inflate(ends, reach);
    const bounds = inflate(boundsOf([area, ...inflatedNear(obstacles, area, usable)]), MARGIN);
    const path = search(start, end, inflatedNear(obstacles, bounds, usable), bounds);
    if (path) return { points: simplify([from, ...path, to]), fallback: false, area: bounds };
  }
  const all = obstacles.map((box) => inflate(box, MARGIN)).filter(usable);
  const area = everything(ends, all);
  const path = search(start, end, all, area);
  if (path) return { points: simplify([from, ...path, to]), fallback: false, area };
  return { points: stepPath(from, to), fallback: true, area };
}

/** The boxes of `obstacles` that, inflated, touch `area`, inflated; without those `usable` refuses. */
function inflatedNear(obstacles: readonly Box[], area: Box, usable: (box: Box) => boolean): Box[] {
  const [left, top] = [area.x - MARGIN, area.y - MARGIN];
  const [right, bottom] = [area.x + area.width + MARGIN, area.y + area.height + MARGIN];
  const near: Box[] = [];
  for (const box of obstacles) {
    if (box.x > right || box.x + box.width < left || box.y > bottom || box.y + box.height < top) continue;
    const inflated = inflate(box, MARGIN);
    if (usable(inflated)) near.push(inflated);
  }
  return near;
}

/** The plain path: down from the source, across halfway, down into the target (or up and round
 * when the target is above). */
export function stepPath(from: Point, to: Point): Point[] {
  const start = { x: from.x, y: from.y + MARGIN };
  const end = { x: to.x, y: to.y - MARGIN };
  if (end.y >= start.y) {
    const middle = (start.y + end.y) / 2;
    return simplify([from, { x: from.x, y: middle }, { x: to.x, y: middle }, to]);
  }
  const middle = (from.x + to.x) / 2;
  return simplify([from, start, { x: middle, y: start.y }, { x: middle, y: end.y }, end, to]);
}

/** An SVG path through `points` with corners rounded by up to `radius`. */
export function roundedPath(points: readonly Point[], radius = 10): string {
  if (!points.length) return "";
  let d = `M ${points[0]!.x},${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i += 1) {
    const [before, corner, after] = [points[i - 1]!, points[i]!, points[i + 1]!];
    const r = Math.min(radius, distance(before, corner) / 2, distance(corner, after) / 2);
    const into = towards(corner, before, r);
    const out = towards(corner, after, r);
    d += ` L ${into.x},${into.y} Q ${corner.x},${corner.y} ${out.x},${out.y}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L ${last.x},${last.y}`;
}

/** The point halfway along a path. */
export function midpoint(points: readonly Point[]): Point {
  const total = points.slice(1).reduce((sum, point, i) => sum + distance(points[i]!, point), 0);
  let left = total / 2;
  for (let i = 1; i < points.length; i += 1) {
    const length = distance(points[i - 1]!, points[i]!);
    if (length >= left && length > 0) return towards(points[i - 1]!, points[i]!, left);
    left -= length;
  }
  return points[0] ?? { x: 0, y: 0 };
}

/** Whether the segment from `a` to `b` (horizontal or vertical) passes through the inside of `box`. */
export function crosses(a: Point, b: Point, box: Box): boolean {
  const left = Math.min(a.x, b.x);
  const right = Math.max(a.x, b.x);
  const top = Math.min(a.y, b.y);
  const bottom = Math.max(a.y, b.y);
  return left < box.x + box.width && right > box.x && top < box.y + box.height && bottom > box.y;
}

// --- the search -------------------------------------------------------------------------------

const DIRECTIONS = [
  { dx: 1, dy: 0 },
  { dx: -1, dy: 0 },
  { dx: 0, dy: 1 },
  { dx: 0, dy: -1 },
];
const DOWN = 2;

/** The corners of the cheapest clear way from `start` to `end` on the grid of `obstacles`' sides
 * (inflated already) within `bounds`, or null. The way arrives going down, as it left. */
function search(start: Point, end: Point, obstacles: readonly Box[], bounds: Box): Point[] | null {
  const [left, right, top, bottom] = [bounds.x, bounds.x + bounds.width, bounds.y, bounds.y + bounds.height];
  const xs = coordinates([start.x, end.x, left, right], obstacles, "x", "width", left, right);
  const ys = coordinates([start.y, end.y, (start.y + end.y) / 2, top, bottom], obstacles, "y", "height", top, bottom);
  const width = xs.length;
  const height = ys.length;
  const blocked = blockedSteps(xs, ys, obstacles);
  const startIndex = xs.indexOf(start.x) + ys.indexOf(start.y) * width;
  const endIndex = xs.indexOf(end.x) + ys.indexOf(end.y) * width;
  // a state is a grid point and the direction it was entered in
  const cost = new Float64Array(width * height * 4).fill(Infinity);
  const cameFrom = new Int32Array(width * height * 4).fill(-1);
  const heap = new Heap();
  const estimate = (index: number) =>
    Math.abs(xs[index % width]! - end.x) + Math.abs(ys[Math.floor(index / width)]! - end.y);
  cost[startIndex * 4 + DOWN] = 0;
  heap.push(startIndex * 4 + DOWN, estimate(startIndex));
  while (heap.size) {
    const state = heap.pop();
    const point = state >> 2;
    const direction = state & 3;
    if (point === endIndex) {
      if (direction !== DOWN) {
        // arriving sideways costs the bend into the port
        const final = cost[state]! + BEND_COST;
        const down = endIndex * 4 + DOWN;
        if (final < cost[down]!) {
          cost[down] = final;
          cameFrom[down] = state;
          heap.push(down, final);
        }
        continue;
      }
      return corners(state, cameFrom, xs, ys, width);
    }
    const i = point % width;
    const j = Math.floor(point / width);
    for (let next = 0; next < 4; next += 1) {
      const { dx, dy } = DIRECTIONS[next]!;
      if (dx === -DIRECTIONS[direction]!.dx && dy === -DIRECTIONS[direction]!.dy) continue;
      const ni = i + dx;
      const nj = j + dy;
      if (ni < 0 || nj < 0 || ni >= width || nj >= height) continue;
      if (blocked[stepIndex(i, j, ni, nj, width)]) continue;
      const neighbour = ni + nj * width;
      const length = Math.abs(xs[ni]! - xs[i]!) + Math.abs(ys[nj]! - ys[j]!);
      const total = cost[state]! + length + (next === direction ? 0 : BEND_COST);
      const target = neighbour * 4 + next;
      if (total < cost[target]!) {
        cost[target] = total;
        cameFrom[target] = state;
        heap.push(target, total + estimate(neighbour));
      }
    }
  }
  return null;
}

/** Grid steps are numbered two per point: the step right of it, then the step below it. */
function stepIndex(i: number, j: number, ni: number, nj: number, width: number): number {
  const [a, b] = ni < i || nj < j ? [ni, nj] : [i, j];
  return (a + b * width) * 2 + (nj !== j ? 1 : 0);
}

/** Which grid steps go through the inside of an obstacle. The grid's lines include every
 * obstacle's sides (within the grid), so a step is either wholly inside one or wholly outside it. */
function blockedSteps(xs: number[], ys: number[], obstacles: readonly Box[]): Uint8Array {
  const width = xs.length;
  const blocked = new Uint8Array(width * ys.length * 2);
  for (const box of obstacles) {
    const right = box.x + box.width;
    const bottom = box.y + box.height;
    // horizontal steps on lines strictly between the top and bottom
    for (let j = firstAbove(ys, box.y); j < ys.length && ys[j]! < bottom; j += 1) {
      for (let i = lowerBound(xs, box.x); i + 1 < width && xs[i + 1]! <= right; i += 1) blocked[(i + j * width) * 2] = 1;
    }
    // vertical steps on lines strictly between the left and right sides
    for (let i = firstAbove(xs, box.x); i < width && xs[i]! < right; i += 1) {
      for (let j = lowerBound(ys, box.y); j + 1 < ys.length && ys[j + 1]! <= bottom; j += 1) {
        blocked[(i + j * width) * 2 + 1] = 1;
      }
    }
  }
  return blocked;
}

function corners(state: number, cameFrom: Int32Array, xs: number[], ys: number[], width: number): Point[] {
  const points: Point[] = [];
  let previousPoint = -1;
  for (let at = state; at !== -1; at = cameFrom[at]!) {
    const point = at >> 2;
    if (point === previousPoint) continue;
    previousPoint = point;
    points.push({ x: xs[point % width]!, y: ys[Math.floor(point / width)]! });
  }
  return simplify(points.reverse());
}

/** The grid's lines along one axis: the given ones and the obstacles' sides, within `low..high`. */
function coordinates(
  extra: number[],
  obstacles: readonly Box[],
  axis: "x" | "y",
  size: "width" | "height",
  low: number,
  high: number,
): number[] {
  const values = new Set(extra);
  for (const box of obstacles) {
    values.add(box[axis]);
    values.add(box[axis] + box[size]);
  }
  return [...values].filter((value) => value >= low && value <= high).sort((a, b) => a - b);
}

/** The index of the first value above `value` in sorted `values`. */
function firstAbove(values: number[], value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function lowerBound(values: number[], value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A binary min-heap of integers by priority. */
class Heap {
  private items: number[] = [];
  private priorities: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: number, priority: number): void {
    const { items, priorities } = this;
    let at = items.length;
    items.push(item);
    priorities.push(priority);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (priorities[parent]! <= priority) break;
      items[at] = items[parent]!;
      priorities[at] = priorities[parent]!;
      at = parent;
    }
    items[at] = item;
    priorities[at] = priority;
  }

  pop(): number {
    const { items, priorities } = this;
    const top = items[0];
    const lastItem = items.pop()!;
    const lastPriority = priorities.pop()!;
    if (items.length) {
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= items.length) break;
        if (child + 1 < items.length && priorities[child + 1]! < priorities[child]!) child += 1;
        if (priorities[child]! >= lastPriority) break;
        items[at] = items[child]!;
        priorities[at] = priorities[child]!;
        at = child;
      }
      items[at] = lastItem;
      priorities[at] = lastPriority;
    }
    return top!;
  }
}

// --- small geometry ---------------------------------------------------------------------------

function inflate(box: Box, by: number): Box {
  return { x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by };
}

function strictlyInside(point: Point, box: Box): boolean {
  return point.x > box.x && point.x < box.x + box.width && point.y > box.y && point.y < box.y + box.height;
}

function touches(a: Box, b: Box): boolean {
  return a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;
}

function boundsOf(boxes: readonly Box[]): Box {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const box of boxes) {
    left = Math.min(left, box.x);
    top = Math.min(top, box.y);
    right = Math.max(right, box.x + box.width);
    bottom = Math.max(bottom, box.y + box.height);
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

function boundsOfPoints(points: readonly Point[]): Box {
  return boundsOf(points.map((point) => ({ ...point, width: 0, height: 0 })));
}

function everything(ends: Box, obstacles: readonly Box[]): Box {
  return inflate(boundsOf([ends, ...obstacles]), REACH);
}

function distance(a: Point, b: Point): number {
  return Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
}

function towards(from: Point, to: Point, by: number): Point {
  const length = distance(from, to);
  if (!length) return from;
  return { x: from.x + ((to.x - from.x) * by) / length, y: from.y + ((to.y - from.y) * by) / length };
}

// --- routing a whole graph, again only where it changed ----------------------------------------

export interface RoutingInput {
  nodes: RouteNode[];
  edges: RouteRequest[];
}

export interface RoutingResult {
  /** The routes found anew, or spread anew from their neighbours (every edge's on the first
   * call). */
  routes: Record<string, Route>;
  /** The edges gone since the last call. */
  removed: string[];
  /** How many routes were spread apart anew: those near a change (all on the first call). */
  spread: number;
}

/**
 * Keeps every edge's route and, given the graph again, routes anew only the edges that changed
 * (their ends, or their ports) and those whose area holds a node that appeared, went, moved or
 * changed size: where nothing near an edge changed, its route is still the best one.
 */
export class Router {
  private nodes = new Map<string, RouteNode>();
  private requests = new Map<string, RouteRequest>();
  private routes = new Map<string, Route>();
  /** The routes as last answered: spread apart where they share a channel (see channels.ts). */
  private drawn = new Map<string, Route>();

  /** `spreadAll`: spread every route on every call, not only those near a change (to compare). */
  constructor(private readonly spreadAll = false) {}

  update(input: RoutingInput): RoutingResult {
    const nodes = new Map(input.nodes.map((node) => [node.id, node]));
    const changed = new Set<string>();
    const changedBoxes: Box[] = [];
    for (const [id, node] of nodes) {
      const before = this.nodes.get(id);
      if (before && sameNode(before, node)) continue;
      changed.add(id);
      changedBoxes.push(node.box);
      if (before) changedBoxes.push(before.box);
    }
    for (const [id, node] of this.nodes) {
      if (nodes.has(id)) continue;
      changed.add(id);
      changedBoxes.push(node.box);
    }
    const routes: Record<string, Route> = {};
    /** The routes found anew or gone, as they were: the routes beside them spread anew too. */
    const replaced: (readonly Point[])[] = [];
    const requests = new Map(input.edges.map((edge) => [edge.id, edge]));
    for (const [id, request] of requests) {
      const before = this.requests.get(id);
      const route = this.routes.get(id);
      const stale =
        !before ||
        !route ||
        !sameRequest(before, request) ||
        changed.has(request.source) ||
        changed.has(request.target) ||
        changedBoxes.some((box) => touches(box, route.area));
      if (!stale) continue;
      if (route && !route.fallback) replaced.push(route.points);
      const found = routeEdge(request.from, request.to, obstaclesFor(request, nodes));
      this.routes.set(id, found);
      routes[id] = found;
    }
    const removed = [...this.requests.keys()].filter((id) => !requests.has(id));
    for (const id of removed) {
      const route = this.routes.get(id);
      if (route && !route.fallback) replaced.push(route.points);
      this.routes.delete(id);
      this.drawn.delete(id);
    }
    // routes that share a channel are spread apart, whether or not they were found anew: those
    // found anew, and those sharing a stretch of channel with them (or with where they were);
    // the others keep their lanes
    const all = [...requests.values()].flatMap((request) => {
      const route = this.routes.get(request.id);
      return route && !route.fallback ? [{ request, route }] : [];
    });
    const seeds = all.flatMap(({ request }, i) => (routes[request.id] || !this.drawn.has(request.id) ? [i] : []));
    const found =
      this.spreadAll || seeds.length === all.length
        ? all
        : seeds.length + replaced.length === 0
          ? []
          : [
              ...sharingChannels(
                all.map(({ request, route }) => [route.points, this.drawn.get(request.id)?.points ?? route.points]),
                seeds,
                replaced,
              ),
            ].map((i) => all[i]!);
    const spread = spreadRoutes(
      found.map(({ request, route }) => ({ points: route.points, boxes: () => obstaclesFor(request, nodes) })),
    );
    found.forEach(({ request, route }, i) => {
      const points = spread[i]!;
      const before = this.drawn.get(request.id);
      if (before && !routes[request.id] && samePoints(before.points, points)) return;
      const drawn = points === route.points ? route : { ...route, points };
      this.drawn.set(request.id, drawn);
      routes[request.id] = drawn;
    });
    for (const [id, route] of Object.entries(routes)) if (route.fallback) this.drawn.set(id, route);
    this.nodes = nodes;
    this.requests = requests;
    return { routes, removed, spread: found.length };
  }
}

const sameBox = (a: Box | undefined, b: Box | undefined) =>
  a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height);

const sameNode = (a: RouteNode, b: RouteNode) =>
  a.parentId === b.parentId && sameBox(a.box, b.box) && sameBox(a.header, b.header);

const samePoints = (a: readonly Point[], b: readonly Point[]) =>
  a === b || (a.length === b.length && a.every((point, i) => point.x === b[i]!.x && point.y === b[i]!.y));

const sameRequest = (a: RouteRequest, b: RouteRequest) =>
  a.source === b.source &&
  a.target === b.target &&
  a.from.x === b.from.x &&
  a.from.y === b.from.y &&
  a.to.x === b.to.x &&
  a.to.y === b.to.y;

// Routes that run along the same channel (the same x going up or down, the same y going across,
// over a common stretch) would be drawn over each other: these are spread a few pixels apart,
// centred on the line they shared, in the order that crosses the fewest of them, and never into
// a box. Ports stay where they are: a route's first and last stretch of `STUB` pixels stays put,
// and only the middle of it moves, its neighbours stretching or shrinking to stay joined.
import { type Box, overlaps, type Point, simplify } from "./geometry";

/** The room between two routes spread apart in a channel. */
export const LANE = 8;
/** How much of a route, next to each port, always stays where it is. */
export const STUB = 12;
/** The shortest a port's stub may become as the stretch next to it moves. */
const MIN_STUB = 4;
/** How far around its corners a route may move: only the boxes within reach are looked at, and
 * a move that would take a segment further is not made. */
const REACH = 96;

/** A route to spread: its corners, ports included, and the boxes it must stay out of. */
export interface Spreadable {
  points: readonly Point[];
  boxes: () => readonly Box[];
}

/** A stretch of a route: `vertical` at x = `at`, or horizontal at y = `at`. */
interface Segment {
  vertical: boolean;
  at: number;
  /** A port's stub, or the joint after one: it does not move. */
  fixed: boolean;
}

interface Path {
  from: Point;
  to: Point;
  segments: Segment[];
  /** The boxes within `region`, the only ones a moved segment could run into. */
  boxes: () => readonly Box[];
  /** Where the route's segments may be: its corners' bounds, `REACH` wider on every side. */
  region: Box;
  /** Each segment where it was, for ordering the lanes. */
  shape: Shape[];
}

/** A segment where it was first: its span along the channel, and which way the route goes on
 * at each end of it (-1 towards lower coordinates, 1 towards higher, 0 into a port or a joint). */
interface Shape {
  path: number;
  index: number;
  vertical: boolean;
  at: number;
  low: number;
  high: number;
  lowTurn: number;
  highTurn: number;
  /** The segments after the low end and after the high end, if any. */
  lowNext: number;
  highNext: number;
}

/** The corners of each route, spread apart where they shared a channel (the same array, unchanged,
 * where a route could not or need not move). */
export function spreadRoutes(routes: readonly Spreadable[]): Point[][] {
  const paths: (Path | null)[] = routes.map((route, i) => pathOf(route, i));
  const moved = new Set<number>();
  spreadChannels(
    paths.flatMap((path) => path?.shape ?? []),
    paths,
    moved,
  );
  // then the joints after the stubs of a port that several routes share, which the first pass
  // has pulled apart sideways, and which may now overlap each other or a route coming along
  // the stubs' ends: once more over all the segments, where they are now
  for (const i of moved) paths[i]!.shape = shapesOf(paths[i]!, i);
  for (const i of moved) {
    for (const segment of paths[i]!.segments) if (!segment.vertical) segment.fixed = false;
  }
  const keys = new Set([...moved].flatMap((i) => paths[i]!.shape.map(channelOf)));
  spreadChannels(
    paths.flatMap((path) => path?.shape.filter((shape) => keys.has(channelOf(shape))) ?? []),
    paths,
    moved,
  );
  shortenSharedStubs(paths, moved);
  return routes.map((route, i) => {
    const path = paths[i];
    if (!path || !moved.has(i)) return route.points as Point[];
    // a last look at the whole route: one that a later move pushed into a box stays as it was
    for (let k = 0; k < path.segments.length; k += 1) {
      if (!fits(path, k)) return route.points as Point[];
    }
    return simplify(pointsOf(path));
  });
}

/**
 * The routes (by index) whose lanes may change when the routes `seeds` changed or went: those
 * that share a stretch of channel with one of them (as `spreadRoutes` groups them: the same
 * channel, overlapping spans), then those that share one with these, and so on. Each route is
 * given as the lines it may be drawn along (unspread as it is now, and spread as it was drawn);
 * `before` holds the changed routes as they were (the routes beside them move back). A route
 * outside the set keeps its lanes: nothing near it changed.
 */
export function sharingChannels(
  routes: readonly (readonly (readonly Point[])[])[],
  seeds: Iterable<number>,
  before: readonly (readonly Point[])[] = [],
): Set<number> {
  // every stretch of every route by its channel, the former routes numbered after the others
  const lines = [...routes, ...before.map((points) => [points])];
  const channels = new Map<string, { route: number; low: number; high: number }[]>();
  lines.forEach((polylines, route) => {
    for (const [k, points] of polylines.entries()) {
      if (k > 0 && points === polylines[0]) continue;
      for (const { key, low, high } of stretchesOf(points)) {
        const channel = channels.get(key);
        if (channel) channel.push({ route, low, high });
        else channels.set(key, [{ route, low, high }]);
      }
    }
  });
  // from the changed routes, along the stretches that overlap theirs
  const reached = new Set<number>([...seeds, ...before.map((_, i) => routes.length + i)]);
  const queue = [...reached];
  while (queue.length) {
    const route = queue.pop()!;
    for (const [k, points] of lines[route]!.entries()) {
      if (k > 0 && points === lines[route]![0]) continue;
      for (const { key, low, high } of stretchesOf(points)) {
        for (const other of channels.get(key)!) {
          if (reached.has(other.route) || Math.min(high, other.high) - Math.max(low, other.low) <= 1) continue;
          reached.add(other.route);
          queue.push(other.route);
        }
      }
    }
  }
  return new Set([...reached].filter((route) => route < routes.length).sort((x, y) => x - y));
}

/** A route's stretches along channels, as `spreadRoutes` groups them (a port's stub apart from
 * the rest of its stretch); kept for each array of corners, which routes never change. */
const stretches = new WeakMap<readonly Point[], { key: string; low: number; high: number }[]>();

function stretchesOf(points: readonly Point[]): { key: string; low: number; high: number }[] {
  let found = stretches.get(points);
  if (!found) {
    found = (pathOf({ points, boxes: () => [] }, 0)?.shape ?? [])
      .filter((shape) => shape.high - shape.low >= 1)
      .map((shape) => ({ key: channelOf(shape), low: shape.low, high: shape.high }));
    stretches.set(points, found);
  }
  return found;
}

/** Where routes leave from one port, or enter one, their stubs overlap: where two of them would
 * go on together for longer than `STUB`, the longer one turns off after `STUB`. */
function shortenSharedStubs(paths: (Path | null)[], moved: Set<number>): void {
  const ports = new Map<string, { path: number; first: boolean }[]>();
  paths.forEach((path, i) => {
    if (!path) return;
    for (const first of [true, false]) {
      const port = first ? path.from : path.to;
      const key = `${first ? "out" : "in"}${Math.round(port.x)},${Math.round(port.y)}`;
      const list = ports.get(key);
      if (list) list.push({ path: i, first });
      else ports.set(key, [{ path: i, first }]);
    }
  });
  const stubLength = (path: Path, first: boolean) =>
    first ? corner(path, 1).y - path.from.y : path.to.y - corner(path, path.segments.length - 1).y;
  for (const ends of ports.values()) {
    if (ends.length < 2) continue;
    const lengths = ends.map(({ path, first }) => stubLength(paths[path]!, first));
    const sorted = [...lengths].sort((x, y) => y - x);
    if (sorted[1]! <= STUB + 0.5) continue;
    // the routes turn off the port's line in turn, the nearest lane on each side last, so that
    // none crosses another's lane
    const turning = ends.flatMap(({ path: i, first }) => {
      const path = paths[i]!;
      const n = path.segments.length;
      if (n < 3) return [];
      const port = first ? path.from : path.to;
      const lane = path.segments[first ? 2 : n - 3]!.at - port.x;
      return [{ i, first, k: first ? 1 : n - 2, side: Math.sign(lane), distance: Math.abs(lane) }];
    });
    turning.sort((x, y) => x.side - y.side || x.distance - y.distance);
    let rank = 0;
    turning.forEach((end, e) => {
      rank = e > 0 && turning[e - 1]!.side === end.side ? rank + 1 : 0;
      const path = paths[end.i]!;
      const length = Math.max(MIN_STUB, STUB - (rank * LANE) / 2);
      const segment = path.segments[end.k]!;
      const was = segment.at;
      segment.at = end.first ? path.from.y + length : path.to.y - length;
      if ([end.k - 1, end.k, end.k + 1].every((j) => fits(path, j))) moved.add(end.i);
      else segment.at = was;
    });
  }
}

/** Spreads the segments among `shapes` that share a channel. */
function spreadChannels(shapes: Shape[], paths: (Path | null)[], moved: Set<number>): void {
  const groups = new Map<string, Shape[]>();
  for (const shape of shapes) {
    if (shape.high - shape.low < 1) continue;
    const key = channelOf(shape);
    const group = groups.get(key);
    if (group) group.push(shape);
    else groups.set(key, [shape]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => a.low - b.low);
    let cluster: Shape[] = [];
    let end = -Infinity;
    for (const shape of group) {
      if (shape.low < end - 1) {
        cluster.push(shape);
        end = Math.max(end, shape.high);
        continue;
      }
      spreadCluster(cluster, paths, moved);
      cluster = [shape];
      end = shape.high;
    }
    spreadCluster(cluster, paths, moved);
  }
}

const channelOf = (shape: Shape) => `${shape.vertical ? "v" : "h"}${Math.round(shape.at)}`;

/** Lanes for the segments of one channel that overlap, when two routes or more share it. */
function spreadCluster(cluster: Shape[], paths: (Path | null)[], moved: Set<number>): void {
  if (cluster.length < 2 || new Set(cluster.map((shape) => shape.path)).size < 2) return;
  if (cluster.every((shape) => segmentOf(paths, shape).fixed)) return;
  const ordered = [...cluster].sort((a, b) => compare(a, b, paths, 0));
  let best: { offsets: number[]; valid: boolean[]; count: number } | null = null;
  for (const offsets of layouts(ordered.map((shape) => segmentOf(paths, shape).fixed))) {
    ordered.forEach((shape, i) => (segmentOf(paths, shape).at = shape.at + offsets[i]!));
    const valid = ordered.map((shape) => {
      const path = paths[shape.path]!;
      return [shape.index - 1, shape.index, shape.index + 1].every((k) => fits(path, k));
    });
    ordered.forEach((shape) => (segmentOf(paths, shape).at = shape.at));
    const count = valid.filter(Boolean).length;
    if (!best || count > best.count) best = { offsets, valid, count };
    if (count === ordered.length) break;
  }
  if (!best) return;
  ordered.forEach((shape, i) => {
    const offset = best.offsets[i]!;
    if (!best.valid[i] || offset === 0) return;
    segmentOf(paths, shape).at = shape.at + offset;
    moved.add(shape.path);
  });
}

/** The offsets to try for the lanes of a channel, in order: centred on the shared line, then
 * all to one side or the other, then the same at half the room. A fixed segment keeps its place,
 * and the others go either side of it. */
function* layouts(fixed: boolean[]): Generator<number[]> {
  const n = fixed.length;
  const firstFixed = fixed.indexOf(true);
  for (const lane of [LANE, LANE / 2]) {
    if (firstFixed >= 0) {
      const offsets: number[] = [];
      let before = fixed.slice(0, firstFixed).length;
      let after = 0;
      for (let i = 0; i < n; i += 1) {
        if (fixed[i]) offsets.push(0);
        else if (i < firstFixed) offsets.push(-lane * before--);
        else offsets.push(lane * ++after);
      }
      yield offsets;
      continue;
    }
    yield fixed.map((_, i) => (i - (n - 1) / 2) * lane);
    yield fixed.map((_, i) => i * lane);
    yield fixed.map((_, i) => (i - (n - 1)) * lane);
  }
}

/** Which of two segments of a channel should take the lower lane: the order in which fewer of
 * their turns cross the other; when that is a tie and they turn the same way at the same place,
 * the order that keeps their corners nested, as their next segments are ordered. */
function compare(a: Shape, b: Shape, paths: (Path | null)[], depth: number): number {
  const difference = crossings(a, b) - crossings(b, a);
  if (difference) return difference;
  if (depth < 2) {
    for (const end of ["high", "low"] as const) {
      const turnA = end === "high" ? a.highTurn : a.lowTurn;
      const turnB = end === "high" ? b.highTurn : b.lowTurn;
      const atA = end === "high" ? a.high : a.low;
      const atB = end === "high" ? b.high : b.low;
      if (!turnA || turnA !== turnB || Math.abs(atA - atB) > 0.5) continue;
      const nextA = shapeAt(paths, a.path, end === "high" ? a.highNext : a.lowNext);
      const nextB = shapeAt(paths, b.path, end === "high" ? b.highNext : b.lowNext);
      if (!nextA || !nextB) continue;
      const order = Math.sign(compare(nextA, nextB, paths, depth + 1));
      if (order) return end === "high" ? -turnA * order : turnA * order;
    }
  }
  return a.path - b.path || a.index - b.index;
}

/** How often `a` and `b` cross where they turn, with `a` in the lower lane. */
function crossings(a: Shape, b: Shape): number {
  const within = (t: number, s: Shape) => t > s.low + 0.5 && t < s.high - 0.5;
  let count = 0;
  if (a.lowTurn > 0 && within(a.low, b)) count += 1;
  if (a.highTurn > 0 && within(a.high, b)) count += 1;
  if (b.lowTurn < 0 && within(b.low, a)) count += 1;
  if (b.highTurn < 0 && within(b.high, a)) count += 1;
  return count;
}

function segmentOf(paths: (Path | null)[], shape: Shape): Segment {
  return paths[shape.path]!.segments[shape.index]!;
}

function shapeAt(paths: (Path | null)[], path: number, index: number): Shape | undefined {
  return index < 0 ? undefined : paths[path]?.shape[index];
}

/** A route as segments (null when it is not the orthogonal path from a port down to a port
 * above which the router finds), its long port stretches cut after `STUB` so that the rest of
 * them may move. */
function pathOf(route: Spreadable, index: number): Path | null {
  const points = route.points;
  if (points.length < 2) return null;
  const plain: Segment[] = [];
  for (let k = 0; k + 1 < points.length; k += 1) {
    const [a, b] = [points[k]!, points[k + 1]!];
    const vertical = a.x === b.x;
    if (!vertical && a.y !== b.y) return null;
    if (plain.length && plain[plain.length - 1]!.vertical === vertical) return null;
    plain.push({ vertical, at: vertical ? a.x : a.y, fixed: false });
  }
  const from = points[0]!;
  const to = points[points.length - 1]!;
  const firstEnd = points[1]!.y;
  const lastStart = points[points.length - 2]!.y;
  if (!plain[0]!.vertical || !plain[plain.length - 1]!.vertical || firstEnd <= from.y || to.y <= lastStart) {
    return null;
  }
  const stub = (x: number): Segment => ({ vertical: true, at: x, fixed: true });
  const joint = (y: number): Segment => ({ vertical: false, at: y, fixed: true });
  const middle = (x: number): Segment => ({ vertical: true, at: x, fixed: false });
  let segments: Segment[];
  if (plain.length === 1) {
    segments =
      to.y - from.y > 4 * STUB
        ? [stub(from.x), joint(from.y + STUB), middle(from.x), joint(to.y - STUB), stub(to.x)]
        : [stub(from.x)];
  } else {
    const head = firstEnd - from.y > 2 * STUB ? [stub(from.x), joint(from.y + STUB), middle(from.x)] : [stub(from.x)];
    const tail = to.y - lastStart > 2 * STUB ? [middle(to.x), joint(to.y - STUB), stub(to.x)] : [stub(to.x)];
    segments = [...head, ...plain.slice(1, -1), ...tail];
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const left = Math.min(...xs) - REACH;
  const top = Math.min(...ys) - REACH;
  const region = { x: left, y: top, width: Math.max(...xs) + REACH - left, height: Math.max(...ys) + REACH - top };
  let boxes: readonly Box[] | undefined;
  const near = () => route.boxes().filter((box) => overlaps(box, region));
  const path: Path = { from, to, segments, boxes: () => (boxes ??= near()), region, shape: [] };
  path.shape = shapesOf(path, index);
  return path;
}

/** The segments of a path where they are now. */
function shapesOf(path: Path, index: number): Shape[] {
  const segments = path.segments;
  const corners = pointsOf(path);
  return segments.map((segment, k) => {
    const [a, b] = [corners[k]!, corners[k + 1]!];
    const along = (p: Point) => (segment.vertical ? p.y : p.x);
    const across = (p: Point) => (segment.vertical ? p.x : p.y);
    // which way the route goes on from a corner of this segment, along the next one
    const turn = (corner: number, next: number) =>
      next < 0 || next >= segments.length
        ? 0
        : Math.sign(across(corners[next === k - 1 ? k - 1 : k + 2]!) - across(corners[corner]!));
    const forward = along(b) >= along(a);
    const [lowCorner, highCorner] = forward ? [k, k + 1] : [k + 1, k];
    const [lowNext, highNext] = forward ? [k - 1, k + 1] : [k + 1, k - 1];
    return {
      path: index,
      index: k,
      vertical: segment.vertical,
      at: segment.at,
      low: Math.min(along(a), along(b)),
      high: Math.max(along(a), along(b)),
      lowTurn: turn(lowCorner, lowNext),
      highTurn: turn(highCorner, highNext),
      lowNext: lowNext < segments.length ? lowNext : -1,
      highNext: highNext < segments.length ? highNext : -1,
    };
  });
}

/** The corners of a path where its segments are now: each corner where one meets the next. */
function pointsOf(path: Path): Point[] {
  const points: Point[] = [path.from];
  for (let k = 1; k < path.segments.length; k += 1) {
    const [before, after] = [path.segments[k - 1]!, path.segments[k]!];
    points.push(before.vertical ? { x: before.at, y: after.at } : { x: after.at, y: before.at });
  }
  points.push(path.to);
  return points;
}

/** Whether segment `k` of a path (where its segments are now) stays out of its boxes, and leaves
 * a port's stub going the way it went, long enough. */
function fits(path: Path, k: number): boolean {
  const n = path.segments.length;
  if (k < 0 || k >= n) return true;
  const a = corner(path, k);
  const b = corner(path, k + 1);
  if (k === 0 && b.y - a.y < MIN_STUB) return false;
  if (k === n - 1 && b.y - a.y < MIN_STUB) return false;
  const { region } = path;
  const inside = (p: Point) =>
    p.x >= region.x && p.x <= region.x + region.width && p.y >= region.y && p.y <= region.y + region.height;
  return inside(a) && inside(b) && !path.boxes().some((box) => crosses(a, b, box));
}

function corner(path: Path, k: number): Point {
  if (k === 0) return path.from;
  if (k === path.segments.length) return path.to;
  const [before, after] = [path.segments[k - 1]!, path.segments[k]!];
  return before.vertical ? { x: before.at, y: after.at } : { x: after.at, y: before.at };
}

function crosses(a: Point, b: Point, box: Box): boolean {
  const left = Math.min(a.x, b.x);
  const right = Math.max(a.x, b.x);
  const top = Math.min(a.y, b.y);
  const bottom = Math.max(a.y, b.y);
  return left < box.x + box.width && right > box.x && top < box.y + box.height && bottom > box.y;
}

/** The pairs of routes (by index) that run over each other: collinear segments of two routes
 * overlapping by more than `tolerance` pixels, not counting the stubs at a port they share. */
export function overlappingRoutes(routes: readonly (readonly Point[])[], tolerance = 1): [number, number][] {
  interface Piece {
    route: number;
    vertical: boolean;
    at: number;
    low: number;
    high: number;
  }
  const pieces: Piece[] = [];
  routes.forEach((points, route) => {
    for (let k = 0; k + 1 < points.length; k += 1) {
      const [a, b] = [points[k]!, points[k + 1]!];
      if (a.x === b.x && a.y === b.y) continue;
      const vertical = a.x === b.x;
      const [low, high] = vertical ? [Math.min(a.y, b.y), Math.max(a.y, b.y)] : [Math.min(a.x, b.x), Math.max(a.x, b.x)];
      pieces.push({ route, vertical, at: vertical ? a.x : a.y, low, high });
    }
  });
  const shared = (i: number, j: number, piece: Piece, other: Piece) => {
    // the stretch next to a port both routes leave from, or enter, is theirs to share
    const [a, b] = [routes[i]!, routes[j]!];
    const ends: Point[] = [];
    if (same(a[0]!, b[0]!)) ends.push(a[0]!);
    if (same(a[a.length - 1]!, b[b.length - 1]!)) ends.push(a[a.length - 1]!);
    const low = Math.max(piece.low, other.low);
    const high = Math.min(piece.high, other.high);
    return ends.some(
      (end) => piece.vertical && Math.abs(end.x - piece.at) < 0.5 && low >= end.y - STUB - 0.5 && high <= end.y + STUB + 0.5,
    );
  };
  const found = new Set<string>();
  const pairs: [number, number][] = [];
  for (let i = 0; i < pieces.length; i += 1) {
    for (let j = i + 1; j < pieces.length; j += 1) {
      const [p, q] = [pieces[i]!, pieces[j]!];
      if (p.route === q.route || p.vertical !== q.vertical || Math.abs(p.at - q.at) >= 0.5) continue;
      if (Math.min(p.high, q.high) - Math.max(p.low, q.low) <= tolerance) continue;
      if (shared(p.route, q.route, p, q)) continue;
      const pair: [number, number] = p.route < q.route ? [p.route, q.route] : [q.route, p.route];
      const key = pair.join(",");
      if (found.has(key)) continue;
      found.add(key);
      pairs.push(pair);
    }
  }
  return pairs;
}

const same = (a: Point, b: Point) => Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5;

// Where the editor puts nodes: boxes on the canvas, whether they overlap, the nearest free place
// for new ones, and the siblings a growing container pushes aside. Pure functions of rectangles
// in one coordinate space; the store decides which space (the canvas, or a container's inside).

export interface Point {
  x: number;
  y: number;
}

export interface Box extends Point {
  width: number;
  height: number;
}

/** Room the editor keeps between the nodes it places. */
export const GAP = 24;
/** The step between the places tried: the canvas's snapping grid. */
export const GRID = 8;

/** Whether two boxes come closer than `gap` (touching edges do not overlap at a gap of 0). */
export function overlaps(a: Box, b: Box, gap = 0): boolean {
  return (
    a.x < b.x + b.width + gap &&
    b.x < a.x + a.width + gap &&
    a.y < b.y + b.height + gap &&
    b.y < a.y + a.height + gap
  );
}

/** Whether `inner` lies wholly within `outer`. */
export function contains(outer: Box, inner: Box): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

export function translate(box: Box, by: Point): Box {
  return { ...box, x: box.x + by.x, y: box.y + by.y };
}

/** The smallest box holding all of `boxes` (which must not be empty). */
export function boundsOf(boxes: readonly Box[]): Box {
  const left = Math.min(...boxes.map((box) => box.x));
  const top = Math.min(...boxes.map((box) => box.y));
  const right = Math.max(...boxes.map((box) => box.x + box.width));
  const bottom = Math.max(...boxes.map((box) => box.y + box.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

export interface SearchOptions {
  /** Room to keep between a placed box and every obstacle. */
  gap?: number;
  /** The smallest top-left corner any placed box may take (inside a container, its padding). */
  min?: Point;
  /** How far from the wanted place to look before placing below everything instead. */
  reach?: number;
}

/**
 * The shift, nearest to `wanted`, that puts every box of `moving` clear of every obstacle
 * (keeping `gap` between them) and no box above or left of `min`. Shifts are tried on the grid
 * around `wanted`, nearest first, where going up or left counts double: a crowded spot sends new
 * nodes down and to the right, the way a graph reads. Moving boxes keep their places among
 * themselves, so a pasted group lands as it was copied.
 */
export function freeOffset(
  moving: readonly Box[],
  obstacles: readonly Box[],
  wanted: Point,
  options: SearchOptions = {},
): Point {
  const { gap = GAP, reach = 960 } = options;
  if (!moving.length) return wanted;
  const least = { x: -Infinity, y: -Infinity };
  if (options.min) {
    for (const box of moving) {
      least.x = Math.max(least.x, options.min.x - box.x);
      least.y = Math.max(least.y, options.min.y - box.y);
    }
  }
  const start = { x: Math.max(wanted.x, least.x), y: Math.max(wanted.y, least.y) };
  const area = boundsOf(moving.map((box) => translate(box, start)));
  const near = obstacles.filter((obstacle) => overlaps(obstacle, area, reach + gap));
  const fits = (offset: Point) =>
    moving.every((box) => {
      const placed = translate(box, offset);
      return near.every((obstacle) => !overlaps(placed, obstacle, gap));
    });
  for (const [i, j] of searchOrder(Math.ceil(reach / GRID))) {
    const offset = { x: start.x + i * GRID, y: start.y + j * GRID };
    if (offset.x >= least.x && offset.y >= least.y && fits(offset)) return offset;
  }
  // nothing free within reach: below everything, where nothing can be in the way
  const bottom = Math.max(...obstacles.map((obstacle) => obstacle.y + obstacle.height));
  const top = Math.min(...moving.map((box) => box.y));
  return { x: start.x, y: Math.max(start.y, Math.ceil((bottom + gap - top) / GRID) * GRID) };
}

/** The top-left corner, nearest to `wanted`, where a box of `size` overlaps no obstacle. */
export function freeSpot(
  size: { width: number; height: number },
  obstacles: readonly Box[],
  wanted: Point,
  options: SearchOptions = {},
): Point {
  return freeOffset([{ x: 0, y: 0, ...size }], obstacles, wanted, options);
}

export interface Placed {
  id: string;
  box: Box;
}

/**
 * Where the siblings of a container go when it grows from `before` to `after`: each sibling it
 * comes to overlap (or to stand closer to than `gap`) moves down, or right when it stood beside
 * the container, to `gap` beyond it; a moved sibling pushes the ones it comes near the same way.
 * Siblings that already overlapped, or stand above or left of where it was, stay where they are.
 * Answers the new top-left corner of each sibling that moves.
 */
export function pushAside(
  before: Box,
  after: Box,
  siblings: readonly Placed[],
  gap = GAP,
): Map<string, Point> {
  const boxes = new Map(siblings.map((sibling) => [sibling.id, { ...sibling.box }]));
  const moved = new Map<string, Point>();
  type Pusher = { id?: string; old: Box; now: Box; direction?: "down" | "right" };
  const pushers: Pusher[] = [{ old: before, now: after }];
  // every push moves a box strictly down or right, so this ends; the bound is a safety net
  let budget = 4 * (siblings.length + 1) ** 2;
  while (pushers.length && budget > 0) {
    const pusher = pushers.shift()!;
    for (const [id, box] of boxes) {
      budget -= 1;
      const cameWithin = (gap: number) => overlaps(pusher.now, box, gap) && !overlaps(pusher.old, box, gap);
      if (id === pusher.id || !(cameWithin(0) || cameWithin(gap))) continue;
      // a container grown up or left (a resize from its top corner) leaves what it covers there
      if (box.y + box.height <= pusher.old.y || box.x + box.width <= pusher.old.x) continue;
      const beside = box.x >= pusher.old.x + pusher.old.width && box.y < pusher.old.y + pusher.old.height;
      const direction = pusher.direction ?? (beside ? "right" : "down");
      const old = { ...box };
      if (direction === "down") box.y = pusher.now.y + pusher.now.height + gap;
      else box.x = pusher.now.x + pusher.now.width + gap;
      moved.set(id, { x: box.x, y: box.y });
      pushers.push({ id, old, now: { ...box }, direction });
    }
  }
  return moved;
}

const orders = new Map<number, [number, number][]>();

/** Grid steps (i, j) within `rings` of the origin, cheapest first: up and left cost double,
 * and among equals, down before right before the rest. */
function searchOrder(rings: number): [number, number][] {
  let order = orders.get(rings);
  if (order) return order;
  const cost = (i: number, j: number) => (i < 0 ? 2 * i : i) ** 2 + (j < 0 ? 2 * j : j) ** 2;
  order = [];
  for (let i = -rings; i <= rings; i += 1) {
    for (let j = -rings; j <= rings; j += 1) {
      if (cost(i, j) <= rings * rings) order.push([i, j]);
    }
  }
  order.sort(([ai, aj], [bi, bj]) => cost(ai, aj) - cost(bi, bj) || bj - aj || bi - ai);
  orders.set(rings, order);
  return order;
}

/** Drops repeated points and the middle one of three in a line. */
export function simplify(points: readonly Point[]): Point[] {
  const kept: Point[] = [];
  for (const point of points) {
    const last = kept[kept.length - 1];
    if (last && last.x === point.x && last.y === point.y) continue;
    const before = kept[kept.length - 2];
    if (before && last && ((before.x === last.x && last.x === point.x) || (before.y === last.y && last.y === point.y))) {
      kept[kept.length - 1] = point;
      continue;
    }
    kept.push(point);
  }
  return kept;
}

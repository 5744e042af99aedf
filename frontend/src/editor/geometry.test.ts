import { describe, expect, it } from "vitest";

import { type Box, contains, freeOffset, freeSpot, GAP, overlaps, pushAside, translate } from "./geometry";

const box = (x: number, y: number, width = 220, height = 64): Box => ({ x, y, width, height });
const size = { width: 220, height: 64 };

/** Whether any two boxes come closer than `gap`. */
function anyOverlap(boxes: Box[], gap = 0): boolean {
  return boxes.some((a, i) => boxes.some((b, j) => i < j && overlaps(a, b, gap)));
}

describe("overlaps", () => {
  it("counts shared area, not touching edges, and keeps a gap when asked", () => {
    expect(overlaps(box(0, 0), box(100, 30))).toBe(true);
    expect(overlaps(box(0, 0), box(220, 0))).toBe(false);
    expect(overlaps(box(0, 0), box(0, 64))).toBe(false);
    expect(overlaps(box(0, 0), box(0, 80), GAP)).toBe(true);
    expect(overlaps(box(0, 0), box(0, 88), GAP)).toBe(false);
  });

  it("tells a box wholly inside another from one that sticks out", () => {
    const view = box(0, 0, 800, 600);
    expect(contains(view, box(100, 100))).toBe(true);
    expect(contains(view, box(700, 100))).toBe(false);
  });
});

describe("freeSpot", () => {
  it("takes the wanted place when it is free", () => {
    expect(freeSpot(size, [box(0, 0)], { x: 0, y: 200 })).toEqual({ x: 0, y: 200 });
  });

  it("goes to the nearest free place below or beside a taken one, keeping the gap", () => {
    const spot = freeSpot(size, [box(0, 0)], { x: 0, y: 0 });
    expect(spot).toEqual({ x: 0, y: 64 + GAP });
  });

  it("never overlaps, however many are placed on one point", () => {
    const placed: Box[] = [box(0, 0), box(300, 0, 360, 220)];
    for (let n = 0; n < 12; n += 1) {
      const spot = freeSpot(size, placed, { x: 40, y: 40 });
      placed.push({ ...spot, ...size });
    }
    expect(anyOverlap(placed, GAP - 1)).toBe(false);
    // the first ones line up below the point; all stay near it
    const added = placed.slice(2);
    expect(added.slice(0, 3).map(({ x, y }) => ({ x, y }))).toEqual([
      { x: 40, y: 88 },
      { x: 40, y: 176 },
      { x: 40, y: 264 },
    ]);
    expect(Math.max(...added.map((b) => Math.hypot(b.x - 40, b.y - 40)))).toBeLessThan(700);
  });

  it("stays right of and below a minimum corner, as inside a container", () => {
    const spot = freeSpot(size, [], { x: -100, y: -100 }, { min: { x: 24, y: 48 } });
    expect(spot).toEqual({ x: 24, y: 48 });
  });

  it("goes below everything when nothing is free within reach", () => {
    const wall = box(-2000, -2000, 4000, 4000);
    const spot = freeSpot(size, [wall], { x: 0, y: 0 }, { reach: 200 });
    expect(overlaps({ ...spot, ...size }, wall, GAP)).toBe(false);
    expect(spot.y).toBeGreaterThanOrEqual(2000 + GAP);
  });
});

describe("freeOffset", () => {
  it("moves a group as one, clear of what is there, keeping its shape", () => {
    const group = [box(0, 0), box(0, 120)];
    const obstacles = [box(0, 0), box(0, 120)];
    const offset = freeOffset(group, obstacles, { x: 40, y: 40 });
    const moved = group.map((b) => translate(b, offset));
    expect(anyOverlap([...obstacles, ...moved], GAP - 1)).toBe(false);
    expect(moved[1]!.y - moved[0]!.y).toBe(120);
  });
});

describe("pushAside", () => {
  const before = box(0, 0, 300, 200);
  const after = box(0, 0, 300, 320);

  it("pushes a sibling the container grew over down by the overlap and a gap", () => {
    const moved = pushAside(before, after, [
      { id: "below", box: box(0, 260) },
      { id: "far", box: box(0, 900) },
    ]);
    expect([...moved]).toEqual([["below", { x: 0, y: 320 + GAP }]]);
  });

  it("pushes a sibling beside the container to the right", () => {
    const wider = box(0, 0, 500, 200);
    const moved = pushAside(before, wider, [{ id: "beside", box: box(360, 40) }]);
    expect(moved.get("beside")).toEqual({ x: 500 + GAP, y: 40 });
  });

  it("pushes a sibling the container came closer to than the gap", () => {
    const moved = pushAside(before, box(0, 0, 300, 250), [{ id: "near", box: box(0, 260) }]);
    expect(moved.get("near")).toEqual({ x: 0, y: 250 + GAP });
  });

  it("passes the push on to the siblings the pushed ones reach, and leaves old overlaps alone", () => {
    const siblings = [
      { id: "a", box: box(0, 260) },
      { id: "b", box: box(0, 360) },
      { id: "old", box: box(100, 150) },
    ];
    const moved = pushAside(before, after, siblings);
    expect(moved.get("a")).toEqual({ x: 0, y: 320 + GAP });
    expect(moved.get("b")).toEqual({ x: 0, y: 320 + GAP + 64 + GAP });
    expect(moved.has("old")).toBe(false);
    const boxes = siblings.filter((s) => s.id !== "old").map((s) => ({ ...s.box, ...moved.get(s.id) }));
    expect(anyOverlap([after, ...boxes])).toBe(false);
  });
});

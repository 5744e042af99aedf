import { describe, expect, it } from "vitest";

import {
  type ChildItem,
  type ChildrenView,
  childTone,
  countsInOrder,
  drawsGraph,
  elkGraph,
  groupByStatus,
  hasRun,
  keepsChanging,
  layoutChildren,
  limitCounter,
  readLayout,
  shapeKey,
  waitingWords,
} from "./children";

function item(key: string, changes: Partial<ChildItem> = {}): ChildItem {
  return {
    key,
    workflow_id: `job-${key}`,
    run_id: null,
    status: "waiting",
    waiting_for: null,
    depends_on: [],
    blocked_by: [],
    attempts: 0,
    started_at: null,
    ended_at: null,
    error: null,
    retry_at: null,
    ...changes,
  };
}

function view(changes: Partial<ChildrenView> = {}): ChildrenView {
  return {
    workflow_id: "w",
    run_id: "r",
    run_status: "RUNNING",
    closed: false,
    node_id: "spawn",
    kind: "spawn_children",
    label: "Build all",
    child_workflow: "job",
    node_status: "running",
    limit: 2,
    limit_from: null,
    running: 1,
    counts: {},
    total: 0,
    truncated: false,
    has_dependencies: true,
    dependencies_known: true,
    items: [],
    edges: [],
    queue: null,
    sources: {},
    runs_read: 1,
    notes: [],
    ...changes,
  };
}

// a -> b, a -> c, b -> d, c -> d
const DIAMOND = view({
  items: [
    item("a", { status: "completed", run_id: "1", attempts: 1 }),
    item("b", { status: "running", run_id: "2", attempts: 1, depends_on: ["a"] }),
    item("c", { status: "waiting", waiting_for: "limit", depends_on: ["a"] }),
    item("d", { status: "waiting", waiting_for: "dependencies", depends_on: ["b", "c"], blocked_by: ["b", "c"] }),
  ],
  edges: [
    { source: "a", target: "b" },
    { source: "a", target: "c" },
    { source: "b", target: "d" },
    { source: "c", target: "d" },
  ],
  counts: { completed: 1, running: 1, waiting: 2 },
});

describe("the children view's logic", () => {
  it("counts running children against the limit, or an unknown limit", () => {
    expect(limitCounter(view({ running: 2, limit: 4 }))).toBe("running 2 / limit 4");
    expect(limitCounter(view({ running: 0, limit: null }))).toBe("running 0 / limit ?");
  });

  it("says why a waiting item waits", () => {
    expect(waitingWords(DIAMOND.items[3]!)).toBe("waits for b, c");
    expect(waitingWords(DIAMOND.items[3]!, undefined, true)).toBe("waits for b +1");
    expect(waitingWords(DIAMOND.items[2]!)).toBe("waits for a free slot");
    expect(waitingWords(item("p", { waiting_for: "paused" }))).toBe("queue paused");
    expect(waitingWords(item("r", { waiting_for: "retry", retry_at: "2025-01-01T10:00:00Z" }), () => "10:00")).toBe(
      "retry at 10:00",
    );
    expect(waitingWords(item("s", { waiting_for: "start" }))).toBe("starts next");
    expect(waitingWords(DIAMOND.items[1]!)).toBe("");
  });

  it("colours statuses like the canvas overlay", () => {
    expect(childTone("running")).toBe("run-running");
    expect(childTone("completed")).toBe("run-completed");
    expect(childTone("failed")).toBe("run-failed");
    expect(childTone("waiting")).toBe("run-waiting");
    expect(childTone("cancelled")).toBe("run-ended");
    expect(childTone("skipped")).toBe("run-not-reached");
  });

  it("lists counts and groups in one order, running first", () => {
    expect(countsInOrder(DIAMOND)).toEqual([
      { status: "running", count: 1 },
      { status: "waiting", count: 2 },
      { status: "completed", count: 1 },
    ]);
    expect(groupByStatus(DIAMOND.items).map((g) => [g.status, g.items.map((i) => i.key)])).toEqual([
      ["running", ["b"]],
      ["waiting", ["c", "d"]],
      ["completed", ["a"]],
    ]);
  });

  it("polls only while the run is open, and links only items that ran", () => {
    expect(keepsChanging(null)).toBe(true);
    expect(keepsChanging(view())).toBe(true);
    expect(keepsChanging(view({ closed: true }))).toBe(false);
    expect(hasRun(DIAMOND.items[0]!)).toBe(true);
    expect(hasRun(DIAMOND.items[2]!)).toBe(false);
    expect(hasRun(item("x", { workflow_id: null, attempts: 1 }))).toBe(false);
  });

  it("draws a graph only when there are dependency edges", () => {
    expect(drawsGraph(DIAMOND)).toBe(true);
    expect(drawsGraph(view({ edges: [] }))).toBe(false);
    expect(drawsGraph(view({ has_dependencies: false, edges: DIAMOND.edges }))).toBe(false);
  });

  it("keeps the layout while only statuses change", () => {
    const moved = { ...DIAMOND, items: DIAMOND.items.map((i) => ({ ...i, status: "completed" as const })) };
    expect(shapeKey(moved)).toBe(shapeKey(DIAMOND));
    expect(shapeKey({ ...DIAMOND, edges: DIAMOND.edges.slice(1) })).not.toBe(shapeKey(DIAMOND));
  });

  it("builds the ELK graph of items and their edges, leaving out edges to unlisted items", () => {
    const graph = elkGraph({ items: DIAMOND.items, edges: [...DIAMOND.edges, { source: "zz", target: "a" }] });
    expect(graph.children?.map((c) => c.id)).toEqual(["a", "b", "c", "d"]);
    expect(graph.edges?.map((e) => [e.sources[0], e.targets[0]])).toEqual([
      ["a", "b"],
      ["a", "c"],
      ["b", "d"],
      ["c", "d"],
    ]);
  });

  it("lays the items out in dependency layers, a dependency above what needs it", async () => {
    const layout = await layoutChildren(DIAMOND);
    const y = (key: string) => layout.boxes.get(key)!.y;
    expect(y("a")).toBeLessThan(y("b"));
    expect(y("b")).toBe(y("c"));
    expect(y("c")).toBeLessThan(y("d"));
    expect(layout.lines).toHaveLength(4);
    expect(layout.lines.every((line) => line.points.length >= 2)).toBe(true);
    expect(layout.width).toBeGreaterThan(0);
  });

  it("reads a layout without edge sections as straight lines", () => {
    const read = readLayout(
      {
        id: "root",
        width: 400,
        height: 200,
        children: [
          { id: "a", x: 0, y: 0 },
          { id: "b", x: 0, y: 100 },
        ],
        edges: [{ id: "e0", sources: ["a"], targets: ["b"] }],
      },
      { edges: [{ source: "a", target: "b" }] },
    );
    expect(read.lines[0]?.points).toHaveLength(2);
    expect(read.boxes.get("b")).toEqual({ x: 0, y: 100 });
  });
});

"""Edges go around the nodes and container headers between their ports, and stay readable."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Api
from tests.browser.editor import center, node, open_editor

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "feature-pipeline.json"
ORCHESTRATOR = "feature-development-orchestrator"

# For each drawn edge, the boxes (a node's, or an open container's header) its path goes through
# by more than a couple of pixels. A container the edge starts or ends in (its box holds the
# source's or the target's) may be entered: only its header is in the way.
CROSSINGS_JS = """(ends) => {
    const PAD = 2;
    const boxes = [];
    for (const element of document.querySelectorAll(".react-flow__node")) {
        const view = element.querySelector(".wf-node");
        const open = view && view.classList.contains("container")
            && !view.classList.contains("collapsed");
        const header = open
            ? view.querySelector(".container-header").getBoundingClientRect()
            : null;
        boxes.push({ id: element.dataset.id, box: element.getBoundingClientRect(), header });
    }
    const byId = new Map(boxes.map((b) => [b.id, b]));
    const holds = (outer, inner) => inner.left >= outer.left && inner.right <= outer.right
        && inner.top >= outer.top && inner.bottom <= outer.bottom;
    const inside = (p, r) => p.x > r.left + PAD && p.x < r.right - PAD
        && p.y > r.top + PAD && p.y < r.bottom - PAD;
    const found = [];
    for (const element of document.querySelectorAll(".react-flow__edge")) {
        const id = element.dataset.id;
        const [source, target] = ends[id] || [];
        const path = element.querySelector("path.react-flow__edge-path");
        if (!source || !path || !byId.has(source) || !byId.has(target)) continue;
        const own = [byId.get(source).box, byId.get(target).box];
        const matrix = path.getScreenCTM();
        const length = path.getTotalLength();
        const samples = [];
        for (let at = 0; at <= length; at += 2) {
            const p = path.getPointAtLength(at);
            samples.push(new DOMPoint(p.x, p.y).matrixTransform(matrix));
        }
        for (const other of boxes) {
            const container = other.header !== null;
            const mine = container && own.some((box) => holds(other.box, box));
            const rect = mine ? other.header : other.box;
            if (samples.some((p) => inside(p, rect))) found.push([id, other.id]);
        }
    }
    return found;
}"""


# How much of an edge next to a port it shares with another edge the two may run along together
# (frontend/src/editor/channels.ts STUB): they meet at the port.
STUB = 12
# An edge's drawn path: its corners are the control points of its rounded turns.
PATHS_JS = """() => Object.fromEntries([...document.querySelectorAll(".react-flow__edge")]
    .map((edge) => [edge.dataset.id,
        edge.querySelector("path.react-flow__edge-path").getAttribute("d")]))"""


def corners(d: str) -> list[tuple[float, float]]:
    """The corners of a path drawn by roundedPath (routing.ts): M, the Qs' control points, the
    last L."""
    tokens = re.findall(r"([MLQ])\s*([-\d.e]+),([-\d.e]+)(?:\s+([-\d.e]+),([-\d.e]+))?", d)
    points = [(float(t[1]), float(t[2])) for t in tokens if t[0] in "MQ"]
    last = tokens[-1]
    points.append((float(last[1]), float(last[2])))
    return points


def near(p: tuple[float, float], q: tuple[float, float]) -> bool:
    return abs(p[0] - q[0]) < 0.5 and abs(p[1] - q[1]) < 0.5


def overlapping_edges(page: Page) -> list[tuple[str, str]]:
    """The pairs of edges whose drawn paths run over each other: collinear segments overlapping by
    more than a pixel, besides the stubs at a port both edges leave from or enter."""
    paths = {id: corners(d) for id, d in page.evaluate(PATHS_JS).items() if d}
    pieces: list[tuple[str, str, float, float, float]] = []
    for id, points in paths.items():
        for a, b in itertools.pairwise(points):
            if abs(a[0] - b[0]) < 0.5 and abs(a[1] - b[1]) >= 0.5:
                pieces.append((id, "v", a[0], min(a[1], b[1]), max(a[1], b[1])))
            elif abs(a[1] - b[1]) < 0.5 and abs(a[0] - b[0]) >= 0.5:
                pieces.append((id, "h", a[1], min(a[0], b[0]), max(a[0], b[0])))
    found: set[tuple[str, str]] = set()
    for i, (id, axis, at, low, high) in enumerate(pieces):
        for other, axis2, at2, low2, high2 in pieces[i + 1 :]:
            if other == id or axis != axis2 or abs(at - at2) >= 0.5:
                continue
            start, end = max(low, low2), min(high, high2)
            if end - start <= 1:
                continue
            mine, theirs = paths[id], paths[other]
            ports = [mine[0]] if near(mine[0], theirs[0]) else []
            ports += [mine[-1]] if near(mine[-1], theirs[-1]) else []
            if axis == "v" and any(
                abs(port[0] - at) < 0.5
                and start >= port[1] - STUB - 0.5
                and end <= port[1] + STUB + 0.5
                for port in ports
            ):
                continue
            found.add((min(id, other), max(id, other)))
    return sorted(found)


def feature_pipeline(project_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    document: dict[str, Any] = json.loads(SAMPLE.read_text())
    document["id"] = project_id
    workflow = next(w for w in document["workflows"] if w["id"] == ORCHESTRATOR)
    return document, workflow


def crossings(page: Page, workflow: dict[str, Any]) -> list[list[str]]:
    ends = {edge["id"]: [edge["source"], edge["target"]] for edge in workflow["edges"]}
    found: list[list[str]] = page.evaluate(CROSSINGS_JS, ends)
    return found


def overlapping_labels(page: Page) -> list[list[str]]:
    """The texts of the pairs of edge labels drawn over each other."""
    found: list[list[str]] = page.evaluate(
        """() => {
            const labels = [...document.querySelectorAll('[data-testid="edge-label"]')]
                .map((label) => [label.textContent, label.getBoundingClientRect()]);
            const pairs = [];
            labels.forEach(([text, a], i) => labels.slice(i + 1).forEach(([other, b]) => {
                if (a.left < b.right - 1 && b.left < a.right - 1
                    && a.top < b.bottom - 1 && b.top < a.bottom - 1) pairs.push([text, other]);
            }));
            return pairs;
        }"""
    )
    return found


def test_edges_go_around_nodes_and_headers(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    document, workflow = feature_pipeline(project_id)
    api.import_project(document)
    open_editor(page, server, project_id, ORCHESTRATOR)
    expect(node(page, "start")).to_be_visible()
    count = len(workflow["edges"])
    assert count > 80
    routed = page.locator('path.react-flow__edge-path[data-routed="true"]')
    # the routes arrive a moment after the graph is drawn
    expect(routed).to_have_count(count, timeout=60_000)
    assert crossings(page, workflow) == []
    # edges sharing a corridor are drawn side by side, not over each other
    assert overlapping_edges(page) == []
    labels = page.get_by_test_id("edge-label")
    assert labels.filter(has_text="approved").count() > 1
    assert overlapping_labels(page) == []

    # a dragged node's edges follow it as plain paths, and are routed again once it is let go
    moved = "priority_ignored"
    edge = next(e["id"] for e in workflow["edges"] if e["target"] == moved)
    path = page.locator(f'.react-flow__edge[data-id="{edge}"] path.react-flow__edge-path')
    x, y = center(node(page, moved))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 10, steps=6)
    page.mouse.move(x + 120, y + 20, steps=6)
    expect(path).to_have_attribute("data-routed", "false")
    page.mouse.up()
    expect(path).to_have_attribute("data-routed", "true", timeout=30_000)
    expect(routed).to_have_count(count, timeout=30_000)
    assert crossings(page, workflow) == []
    assert overlapping_edges(page) == []

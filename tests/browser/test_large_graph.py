"""A large workflow draws only the nodes in view, and its edges still meet their ports."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, shop_project
from tests.browser.editor import center, node, nodes, open_editor

COLUMNS = 10


def grid_workflow(count: int) -> dict[str, Any]:
    steps = [
        {
            "id": f"s{i}",
            "type": "activity",
            "label": f"Step {i}",
            "position": {"x": (i % COLUMNS) * 300, "y": 150 + (i // COLUMNS) * 140},
            "config": {"activity": "notify", "args": {"text": f"'{i}'"}},
        }
        for i in range(count)
    ]
    start = {"id": "start", "type": "start", "label": "Start", "position": {"x": 0, "y": 0}}
    edges = [{"id": "e0", "source": "start", "target": "s0"}] + [
        {"id": f"e{i}", "source": f"s{i - 1}", "target": f"s{i}"} for i in range(1, count)
    ]
    return {"id": "big", "name": "Big", "nodes": [start, *steps], "edges": edges}


def path_ends(page: Page, edge_id: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """Screen coordinates of where an edge's path starts and ends."""
    ends: list[float] = page.evaluate(
        """(id) => {
            const path = document.querySelector(`.react-flow__edge[data-id="${id}"] path`);
            const length = path.getTotalLength();
            const matrix = path.getScreenCTM();
            const at = (p) => new DOMPoint(p.x, p.y).matrixTransform(matrix);
            const a = at(path.getPointAtLength(0)), b = at(path.getPointAtLength(length));
            return [a.x, a.y, b.x, b.y];
        }""",
        edge_id,
    )
    return (ends[0], ends[1]), (ends[2], ends[3])


def test_large_workflow_draws_what_is_in_view(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [grid_workflow(400)]))
    open_editor(page, server, project_id, "big")
    expect(node(page, "start")).to_be_visible()
    drawn = nodes(page).count()
    assert 10 < drawn < 150, drawn

    # find a node far away: it is drawn once in view, its edges meeting its ports
    page.keyboard.press("Control+f")
    page.get_by_label("Find a node by label").fill("Step 125")
    page.get_by_label("Find a node by label").press("Enter")
    expect(node(page, "s125")).to_be_visible()
    expect(node(page, "s0")).to_have_count(0)
    for edge in ["e125", "e126"]:
        source_id = f"s{int(edge[1:]) - 1}"
        target_id = f"s{edge[1:]}"
        expect(page.locator(f'.react-flow__edge[data-id="{edge}"]')).to_have_count(1)
        begin, end = path_ends(page, edge)
        out = center(node(page, source_id).locator('.react-flow__handle[data-handleid="out"]'))
        into = center(node(page, target_id).locator('.react-flow__handle[data-handleid="in"]'))
        assert abs(begin[0] - out[0]) < 3 and abs(begin[1] - out[1]) < 6, (begin, out)
        assert abs(end[0] - into[0]) < 3 and abs(end[1] - into[1]) < 6, (end, into)
    expect(page.get_by_test_id("problems")).to_contain_text("No problems")
    expect(node(page, "s125").locator(".wf-node")).not_to_have_class(re.compile("has-error"))


FLOW_STORE_UPDATES = """() => {
    // React Flow's own store, from the context its canvas provides (found on the React fiber of
    // the canvas's element): every update of it asks each of its subscribers again
    const element = document.querySelector(".react-flow");
    const key = Object.keys(element).find((name) => name.startsWith("__reactFiber$"));
    for (let fiber = element[key]; fiber; fiber = fiber.return) {
        const store = fiber.memoizedProps?.value;
        if (store?.subscribe && store.getState?.().nodeLookup) {
            window.__flowUpdates = { all: 0, nodes: 0 };
            store.subscribe((state, before) => {
                window.__flowUpdates.all += 1;
                if (state.nodes !== before.nodes) window.__flowUpdates.nodes += 1;
            });
            return true;
        }
    }
    return false;
}"""


def test_typing_a_label_leaves_the_large_canvas_alone(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    """A keystroke in the label of a node of a large workflow is drawn on the node at once,
    without React Flow being handed the nodes again (each time, all of them would be looked at
    again, the minimap's and the edges' too); the node's and its edge's announcements follow
    once the typing stops."""
    api.import_project(shop_project(project_id, [grid_workflow(400)]))
    open_editor(page, server, project_id, "big")
    node(page, "start").locator(".node-label").first.click()
    label = page.locator('[id="node-start-label"]')
    expect(label).to_have_value("Start")
    label.click()
    page.keyboard.press("End")
    assert page.evaluate(FLOW_STORE_UPDATES)
    typed = " abcdefghij"
    page.keyboard.type(typed, delay=20)
    updates: dict[str, int] = page.evaluate("window.__flowUpdates")
    # each keystroke used to hand React Flow the nodes and seven callbacks anew: 88 updates
    assert updates["all"] < len(typed) // 3, updates
    expect(node(page, "start").locator(".node-label")).to_have_text("Start abcdefghij")
    expect(label).to_have_value("Start abcdefghij")
    expect(node(page, "start")).to_have_attribute("aria-label", "Start: Start abcdefghij")
    expect(
        page.get_by_role("group", name="Connection from Start abcdefghij to Step 0")
    ).to_have_count(1)

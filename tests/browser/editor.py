"""What a user does in the editor, as small steps the browser tests read like sentences."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


def open_editor(page: Page, server: str, project: str, workflow: str) -> None:
    page.goto(f"{server}/#/projects/{project}/workflows/{workflow}")
    expect(page.locator(".react-flow__pane")).to_be_visible()
    expect(page.get_by_test_id("problems")).to_be_visible()


def node(page: Page, node_id: str) -> Locator:
    return page.locator(f'.react-flow__node[data-id="{node_id}"]')


def nodes(page: Page) -> Locator:
    return page.locator(".react-flow__node:not(.react-flow__node-ghost)")


def drop(page: Page, kind: str, x: float, y: float) -> None:
    """Drags a kind from the palette onto the canvas, at (x, y) from the canvas's top left."""
    page.drag_and_drop(
        f'.palette-item[data-kind="{kind}"]',
        ".react-flow__pane",
        target_position={"x": x, "y": y},
    )


def connect(page: Page, source: str, handle: str, target: str) -> None:
    """Drags from a node's output port to another node's input port."""
    start = node(page, source).locator(f'.react-flow__handle[data-handleid="{handle}"]')
    end = node(page, target).locator('.react-flow__handle[data-handleid="in"]')
    page.mouse.move(*center(start))
    page.mouse.down()
    page.mouse.move(*center(end), steps=8)
    page.mouse.up()


def connect_to_body(page: Page, source: str, handle: str, target: str) -> None:
    """Drags from a node's output port and lets go over another node's body."""
    start = node(page, source).locator(f'.react-flow__handle[data-handleid="{handle}"]')
    page.mouse.move(*center(start))
    page.mouse.down()
    page.mouse.move(*center(node(page, target).locator(".node-label")), steps=8)
    page.mouse.up()


def center(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def select(page: Page, node_id: str) -> None:
    """Clicks a node's label, which selects it alone, and waits until it is selected."""
    node(page, node_id).locator(".node-label").first.click()
    expect(node(page, node_id)).to_have_class(re.compile(r"\bselected\b"))


def still(page: Page) -> None:
    """Waits until the canvas has not moved for a moment: bringing a node into view or fitting
    a container is animated, and a click during it may land beside what it aims at."""
    page.wait_for_function(
        """() => {
            const viewport = document.querySelector(".react-flow__viewport");
            if (!viewport) return false;
            const now = performance.now();
            if (window.__wfdTransform !== viewport.style.transform) {
                window.__wfdTransform = viewport.style.transform;
                window.__wfdSince = now;
                return false;
            }
            return now - window.__wfdSince > 250;
        }""",
        polling=50,
    )


def field(page: Page, node_id: str, path: str) -> Locator:
    """The input of a config field in the properties panel of the selected node."""
    return page.locator(f'[id="node-{node_id}-{path}"]')


def box_inside(inner: Locator, outer: Locator) -> bool:
    a = inner.bounding_box()
    b = outer.bounding_box()
    assert a and b
    return (
        a["x"] >= b["x"]
        and a["y"] >= b["y"]
        and a["x"] + a["width"] <= b["x"] + b["width"]
        and a["y"] + a["height"] <= b["y"] + b["height"]
    )

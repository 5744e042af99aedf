"""Where the editor puts nodes: a click on a palette kind adds it where the user is looking;
added, dropped and pasted nodes never land on another node; a node goes into a container only
when dropped inside it, which shows itself while a drag is over it; a container that grows pushes
its neighbours aside rather than covering them."""

from __future__ import annotations

import re
from itertools import combinations
from typing import Any

from playwright.sync_api import FloatRect, Locator, Page, expect

from tests.browser.conftest import Api, orders_workflow, save_artifact, shop_project
from tests.browser.editor import center, drop, node, nodes, open_editor, select

Box = FloatRect
DROP_TARGET = re.compile(r"\bdrop-target\b")


def palette_item(page: Page, kind: str) -> Locator:
    return page.locator(f'.palette-item[data-kind="{kind}"]')


def deselect(page: Page) -> None:
    """Clicks an empty corner of the canvas, which leaves nothing selected."""
    page.locator(".react-flow__pane").click(position={"x": 20, "y": 20})
    expect(page.locator(".react-flow__node.selected")).to_have_count(0)


def view_at_rest(page: Page) -> None:
    """Waits until the view stops moving (it glides to a node added out of sight)."""
    viewport = page.locator(".react-flow__viewport")
    last = viewport.get_attribute("style")
    while True:
        page.wait_for_timeout(300)
        now = viewport.get_attribute("style")
        if now == last:
            return
        last = now


def shown_boxes(page: Page) -> dict[str, Box]:
    """Every node's box as drawn on the screen, by node id."""
    view_at_rest(page)
    found: dict[str, Box] = {}
    for element in nodes(page).all():
        node_id = element.get_attribute("data-id")
        box = element.bounding_box()
        assert node_id and box, node_id
        found[node_id] = box
    return found


def overlap(a: Box, b: Box) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def parents(document: dict[str, Any]) -> dict[str, str | None]:
    return {n["id"]: n.get("parent_id") for n in document["nodes"]}


def overlapping_pairs(boxes: dict[str, Box], parent_of: dict[str, str | None]) -> list[str]:
    """The pairs of nodes drawn over each other, leaving out a container and what it holds."""

    def within(inner: str, outer: str) -> bool:
        parent = parent_of.get(inner)
        while parent:
            if parent == outer:
                return True
            parent = parent_of.get(parent)
        return False

    return [
        f"{a}/{b}"
        for a, b in combinations(sorted(boxes), 2)
        if not within(a, b) and not within(b, a) and overlap(boxes[a], boxes[b])
    ]


def save(page: Page, api: Api, project: str) -> dict[str, Any]:
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_be_visible()
    document: dict[str, Any] = api.workflow(project, "orders")["document"]
    return document


def assert_in_canvas(page: Page, locator: Locator) -> None:
    """The node is drawn wholly within the canvas's visible part."""
    view_at_rest(page)
    pane, box = page.locator(".react-flow__pane").bounding_box(), locator.bounding_box()
    assert pane and box
    assert pane["x"] <= box["x"] and box["x"] + box["width"] <= pane["x"] + pane["width"], box
    assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"], box


def drag_by_mouse(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Presses at `start`, moves to `end` in small steps, and holds the button there."""
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=12)


def test_added_dropped_and_pasted_nodes_never_overlap(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    expect(nodes(page)).to_have_count(6)
    # the problems list folded, so that the canvas keeps its size as problems come and go
    page.locator(".problems-header").click()
    deselect(page)

    # five clicks on a kind: the first in the middle of the view (where the graph is, so beside
    # it), each next one below the one before, which is selected
    for count in range(1, 6):
        palette_item(page, "activity").click()
        expect(nodes(page)).to_have_count(6 + count)
        added = node(page, f"activity_{count}")
        expect(added).to_have_class(re.compile(r"\bselected\b"))
        expect(page.locator(".react-flow__node.selected")).to_have_count(1)
        assert_in_canvas(page, added)
        if count > 1:
            above = node(page, f"activity_{count - 1}").bounding_box()
            box = added.bounding_box()
            assert above and box and box["y"] > above["y"] + above["height"]
    # two drops onto one point of the canvas
    pane = page.locator(".react-flow__pane").bounding_box()
    assert pane
    drop(page, "timer", pane["width"] - 200, 120)
    drop(page, "timer", pane["width"] - 200, 120)
    expect(nodes(page)).to_have_count(13)
    # a copy pasted twice
    page.get_by_role("button", name="Fit view").click()
    select(page, "charge")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    page.keyboard.press("Control+v")
    expect(nodes(page)).to_have_count(15)
    # a double-click adds one node, not two
    deselect(page)
    palette_item(page, "end").dblclick()
    expect(nodes(page)).to_have_count(16)
    expect(node(page, "end_1")).to_have_class(re.compile(r"\bselected\b"))

    document = save(page, api, project_id)
    parent_of = parents(document)
    # none of them went into the Review phase, though the view's middle and the copies'
    # originals are next to it
    assert [n for n, parent in parent_of.items() if parent] == ["notify"]
    boxes = shown_boxes(page)
    assert len(boxes) == 16
    assert overlapping_pairs(boxes, parent_of) == []
    # the copies sit near their original, not far away
    charge = boxes["charge"]
    for copy in ("activity_6", "activity_7"):
        assert (
            abs(boxes[copy]["x"] - charge["x"]) < 600 and abs(boxes[copy]["y"] - charge["y"]) < 600
        )
    page.get_by_role("button", name="Fit view").click()
    save_artifact(page, "placement.png")


def test_a_click_adds_below_the_selection_as_an_undoable_edit(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    expect(page.get_by_test_id("saved")).to_be_visible()

    select(page, "done")
    palette_item(page, "timer").click()
    expect(nodes(page)).to_have_count(7)
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    boxes = shown_boxes(page)
    done, timer = boxes["done"], boxes["timer_1"]
    assert timer["y"] > done["y"] + done["height"]
    assert abs(timer["x"] - done["x"]) < 1
    assert_in_canvas(page, node(page, "timer_1"))

    page.keyboard.press("Control+z")
    expect(nodes(page)).to_have_count(6)
    expect(node(page, "timer_1")).to_have_count(0)
    expect(page.get_by_test_id("saved")).to_be_visible()
    page.keyboard.press("Control+Shift+z")
    expect(node(page, "timer_1")).to_have_count(1)
    expect(page.get_by_test_id("unsaved")).to_be_visible()


def test_a_node_joins_a_container_only_when_dropped_inside_it(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    review = node(page, "review")
    frame = review.locator(".wf-node")
    hint = page.get_by_test_id("drop-hint")

    # a kind dropped just left of the phase, where it would cover its edge: beside it, not in it
    target = review.bounding_box()
    assert target
    drag_by_mouse(
        page, center(palette_item(page, "activity")), (target["x"] - 40, target["y"] + 60)
    )
    expect(frame).not_to_have_class(DROP_TARGET)
    page.mouse.up()
    expect(nodes(page)).to_have_count(7)

    # a node of the canvas dragged next to the phase stays out of it
    grip = center(node(page, "activity_1").locator(".node-icon"))
    target = review.bounding_box()
    assert target
    drag_by_mouse(page, grip, (target["x"] + target["width"] + 160, target["y"] + 40))
    expect(frame).not_to_have_class(DROP_TARGET)
    page.mouse.up()
    document = save(page, api, project_id)
    assert parents(document)["activity_1"] is None
    assert overlapping_pairs(shown_boxes(page), parents(document)) == []

    # dragged over the phase, the phase lights up and says so; let go there, it is inside
    grip = center(node(page, "activity_1").locator(".node-icon"))
    notify = node(page, "notify").bounding_box()
    assert notify
    drag_by_mouse(page, grip, (notify["x"] + 20, notify["y"] + notify["height"] + 50))
    expect(frame).to_have_class(DROP_TARGET)
    expect(hint).to_contain_text("Review")
    save_artifact(page, "placement-drop-target.png")
    page.mouse.up()
    expect(frame).not_to_have_class(DROP_TARGET)
    expect(hint).to_have_count(0)
    assert parents(save(page, api, project_id))["activity_1"] == "review"

    # a kind dragged from the palette over the phase lights it up too; let go on what the phase
    # holds, it goes into the phase, at a free place
    drag_by_mouse(page, center(palette_item(page, "timer")), center(node(page, "notify")))
    expect(frame).to_have_class(DROP_TARGET)
    page.mouse.up()
    expect(frame).not_to_have_class(DROP_TARGET)
    expect(nodes(page)).to_have_count(8)
    document = save(page, api, project_id)
    parent_of = parents(document)
    assert parent_of["timer_1"] == "review"
    assert overlapping_pairs(shown_boxes(page), parent_of) == []


def test_a_growing_container_pushes_its_neighbours_aside(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    done_before = node(page, "done").bounding_box()
    assert done_before

    # a click with the phase selected adds into it, below Notify; the phase grows down to Done,
    # which moves down out of its way
    select(page, "review")
    palette_item(page, "activity").click()
    expect(nodes(page)).to_have_count(7)
    document = save(page, api, project_id)
    parent_of = parents(document)
    assert parent_of["activity_1"] == "review"
    boxes = shown_boxes(page)
    assert boxes["review"]["height"] > 200
    assert boxes["done"]["y"] > done_before["y"]
    assert boxes["done"]["y"] >= boxes["review"]["y"] + boxes["review"]["height"]
    assert overlapping_pairs(boxes, parent_of) == []

    # one undo takes back the node, the growth and the push
    page.keyboard.press("Control+z")
    expect(nodes(page)).to_have_count(6)
    done_after = node(page, "done").bounding_box()
    assert done_after and abs(done_after["y"] - done_before["y"]) < 1

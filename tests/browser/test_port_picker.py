"""The "+" under a node's output port: it opens a searchable list of node kinds, and the kind
chosen is added below the port, already connected from it, on no other node; one undo step."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Api, orders_workflow, shop_project
from tests.browser.editor import node, nodes, open_editor
from tests.browser.test_accessibility import scan
from tests.browser.test_placement import overlapping_pairs, parents, save, shown_boxes


def branching_workflow() -> dict[str, Any]:
    """The orders workflow with its condition's `true` port left open (the Review phase, where a
    node added below that port would go first, no longer connected) and Notify's too."""
    workflow = orders_workflow()
    workflow["edges"] = [edge for edge in workflow["edges"] if edge["id"] not in ("e3", "e5")]
    return workflow


def plus(page: Page, node_id: str, port: str) -> Locator:
    return node(page, node_id).locator(f'[data-port-add="{port}"]')


def edge_named(page: Page, name: str) -> Locator:
    return page.get_by_role("group", name=name, exact=True)


def test_plus_on_a_port_adds_a_connected_node_in_one_undo_step(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [branching_workflow()]))
    open_editor(page, server, project_id, "orders")
    expect(nodes(page)).to_have_count(6)
    # the problems list folded, so that the canvas keeps its size as problems come and go
    page.locator(".problems-header").click()
    picker = page.get_by_test_id("port-picker")

    # the "+" shows on the hovered node, on its open ports only: `false` leads to Done already
    condition = node(page, "large")
    condition.locator(".node-label").hover()
    expect(plus(page, "large", "true")).to_have_css("opacity", "1")
    expect(plus(page, "large", "false")).to_have_count(0)

    # Escape closes the list and changes nothing
    plus(page, "large", "true").click()
    search = picker.get_by_role("combobox", name="Add a node after Large order? (true)")
    expect(search).to_be_focused()
    expect(picker.get_by_role("listbox", name="Node kinds")).to_be_visible()
    # grouped as the palette is; kinds that take no incoming edge are not offered
    expect(picker.get_by_role("group", name="steps")).to_be_visible()
    expect(picker.get_by_role("option", name="Timer")).to_be_visible()
    expect(picker.get_by_role("option", name="Start")).to_have_count(0)
    # a combobox over a listbox of grouped options, as axe-core reads it
    assert scan(page, "port picker") == []
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect(plus(page, "large", "true")).to_be_focused()
    expect(nodes(page)).to_have_count(6)
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()

    # typing filters the list; the best match is the one Enter adds
    plus(page, "large", "true").click()
    page.keyboard.type("tim")
    expect(picker.get_by_role("option", name="Timer")).to_have_attribute("aria-selected", "true")
    expect(picker.get_by_role("option", name="Phase")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    expect(nodes(page)).to_have_count(7)
    added = node(page, "timer_1")
    expect(added).to_be_focused()
    expect(page.locator(".react-flow__node.selected")).to_have_count(1)
    expect(added).to_have_class(re.compile(r"\bselected\b"))
    expect(edge_named(page, "Connection from Large order? (true) to Timer")).to_have_count(1)
    # the port leads to a node now: its "+" is gone
    expect(plus(page, "large", "true")).to_have_count(0)

    boxes = shown_boxes(page)
    document = save(page, api, project_id)
    assert overlapping_pairs(boxes, parents(document)) == []
    # below the condition, which it follows
    assert boxes["timer_1"]["y"] > boxes["large"]["y"] + boxes["large"]["height"]
    assert {
        "source": "large",
        "source_handle": "true",
        "target": "timer_1",
        "target_handle": "in",
    }.items() <= next(e for e in document["edges"] if e["target"] == "timer_1").items()

    # one undo takes back the node and its edge together
    page.keyboard.press("Control+z")
    expect(nodes(page)).to_have_count(6)
    expect(page.locator(".react-flow__edge")).to_have_count(3)
    expect(edge_named(page, "Connection from Large order? (true) to Timer")).to_have_count(0)
    page.keyboard.press("Control+Shift+z")
    expect(nodes(page)).to_have_count(7)
    expect(edge_named(page, "Connection from Large order? (true) to Timer")).to_have_count(1)


def test_plus_inside_a_container_adds_into_it_by_keyboard(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [branching_workflow()]))
    open_editor(page, server, project_id, "orders")
    expect(nodes(page)).to_have_count(6)
    page.locator(".problems-header").click()
    picker = page.get_by_test_id("port-picker")

    # reached by Tab from the node, opened by Enter; the arrow keys choose
    node(page, "notify").locator(".node-label").click()
    expect(node(page, "notify")).to_be_focused()
    page.keyboard.press("Tab")
    expect(plus(page, "notify", "out")).to_be_focused()
    expect(plus(page, "notify", "out")).to_have_css("opacity", "1")
    page.keyboard.press("Enter")
    search = picker.get_by_role("combobox", name="Add a node after Notify")
    expect(search).to_be_focused()
    page.keyboard.type("set")
    expect(picker.get_by_role("option", name="Set state")).to_have_attribute(
        "aria-selected", "true"
    )
    # Escape gives the focus back to the "+": Enter opens the list again
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    page.keyboard.press("Enter")
    page.keyboard.type("end")
    expect(picker.get_by_role("option", name="End")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(picker.get_by_role("option", name="End")).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(picker.get_by_role("option", name="End")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(nodes(page)).to_have_count(7)
    expect(edge_named(page, "Connection from Notify to End")).to_have_count(1)

    boxes = shown_boxes(page)
    document = save(page, api, project_id)
    # in the container its source is in, which grew to hold it, on no other node
    assert parents(document)["end_1"] == "review"
    assert overlapping_pairs(boxes, parents(document)) == []
    review, end = boxes["review"], boxes["end_1"]
    assert review["y"] + review["height"] >= end["y"] + end["height"]

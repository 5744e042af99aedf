"""Moving a selected node with the arrow keys is an edit like a drag: it is unsaved until saved,
Ctrl+Z undoes it (a burst of presses is one step), and it is saved and comes back on reload.
Arrow keys typed in a field stay the field's."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Api, orders_workflow, shop_project
from tests.browser.editor import field, node, nodes, open_editor, select

TRANSLATE = re.compile(r"translate\((-?[\d.]+)px, ?(-?[\d.]+)px\)")


def shown_position(locator: Locator) -> tuple[float, float]:
    """Where the canvas draws a node (its flow position, from React Flow's transform)."""
    found = TRANSLATE.search(locator.get_attribute("style") or "")
    assert found, locator.get_attribute("style")
    return float(found.group(1)), float(found.group(2))


def at(x: float, y: float) -> re.Pattern[str]:
    return re.compile(rf"translate\({x:g}px, ?{y:g}px\)")


def test_arrow_keys_move_a_node_as_an_undoable_saved_edit(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    expect(nodes(page)).to_have_count(6)
    expect(page.get_by_test_id("saved")).to_be_visible()
    charge = node(page, "charge")
    expect(charge).to_have_attribute("style", at(300, 120))

    # clicking a node gives it the focus; the arrow keys then move it
    select(page, "charge")
    expect(charge).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(charge).not_to_have_attribute("style", at(300, 120))
    moved = shown_position(charge)
    assert moved[0] > 300 and moved[1] == 120, moved
    expect(page.get_by_test_id("unsaved")).to_be_visible()

    # the burst of presses is one undo step, as one drag is
    page.keyboard.press("Control+z")
    expect(charge).to_have_attribute("style", at(300, 120))
    expect(page.get_by_test_id("saved")).to_be_visible()
    page.keyboard.press("Control+Shift+z")
    expect(charge).to_have_attribute("style", at(*moved))
    expect(page.get_by_test_id("unsaved")).to_be_visible()

    # saved, it is the server's, and a reload shows it there
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_be_visible()
    saved = {n["id"]: n for n in api.workflow(project_id, "orders")["document"]["nodes"]}
    assert (saved["charge"]["position"]["x"], saved["charge"]["position"]["y"]) == moved
    page.reload()
    expect(page.get_by_test_id("problems")).to_be_visible()
    expect(node(page, "charge")).to_have_attribute("style", at(*moved))
    expect(page.get_by_test_id("saved")).to_be_visible()

    # arrow keys typed in a field move its caret, never the node
    select(page, "charge")
    result = field(page, "charge", "result")
    result.click()
    for key in ("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"):
        page.keyboard.press(key)
    expect(result).to_be_focused()
    expect(result).to_have_value("receipt")
    expect(node(page, "charge")).to_have_attribute("style", at(*moved))
    expect(page.get_by_test_id("saved")).to_be_visible()

"""Messages a user understands: a problem names the node by its label and the field by its
title, a mechanical problem is fixed with one click (and undone with Ctrl+Z), and an empty
canvas says what to do first."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, shop_project
from tests.browser.editor import nodes, open_editor


def _without_start() -> dict[str, Any]:
    """A Charge step whose activity is left empty, then Done; no Start."""
    return {
        "id": "orders",
        "name": "Orders",
        "input": {"amount": "int"},
        "nodes": [
            {
                "id": "charge",
                "type": "activity",
                "label": "Charge card",
                "position": {"x": 300, "y": 200},
                "config": {"activity": "", "args": {}},
            },
            {"id": "done", "type": "end", "label": "Done", "position": {"x": 300, "y": 340}},
        ],
        "edges": [{"id": "e1", "source": "charge", "target": "done"}],
    }


def test_a_problem_names_node_and_field_and_missing_start_is_fixed_with_one_click(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [_without_start()]))
    open_editor(page, server, project_id, "orders")
    problems = page.get_by_test_id("problem")

    # the bad field: by the node's label and the field's title, in the product's words
    bad_field = problems.filter(has_text="Charge card › Activity:")
    expect(bad_field).to_have_count(1)
    expect(bad_field).to_contain_text("must not be empty")
    expect(page.get_by_test_id("problems")).not_to_contain_text("String should have")

    missing = page.locator(".problem-row").filter(has_text="no Start node")
    expect(missing).to_have_count(1)
    expect(nodes(page)).to_have_count(2)
    fix = missing.get_by_test_id("problem-fix")
    expect(fix).to_have_attribute("title", "Add a Start node")
    fix.click()

    start = page.locator('.react-flow__node[data-id^="start"]')
    expect(start).to_have_count(1)
    expect(nodes(page)).to_have_count(3)
    expect(missing).to_have_count(0)
    # the Start stands above the steps, outside them
    start_box = start.bounding_box()
    charge_box = page.locator('.react-flow__node[data-id="charge"]').bounding_box()
    assert start_box and charge_box
    assert start_box["y"] + start_box["height"] <= charge_box["y"]

    # one undoable edit
    page.keyboard.press("Control+z")
    expect(start).to_have_count(0)
    expect(nodes(page)).to_have_count(2)
    expect(missing).to_have_count(1)


def test_an_empty_canvas_says_what_to_do_first(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id))
    open_editor(page, server, project_id, "orders")
    hint = page.get_by_test_id("canvas-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text(
        "Drag a step from the palette, or click one to add it; every workflow begins with a "
        "Start node"
    )
    page.locator(".problem-row").filter(has_text="no Start node").get_by_test_id(
        "problem-fix"
    ).click()
    expect(nodes(page)).to_have_count(1)
    expect(hint).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(hint).to_be_visible()

"""Live validation: a broken edge is marked on the canvas and listed with the problems."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, orders_workflow, shop_project
from tests.browser.editor import box_inside, center, field, node, open_editor, select, still


def test_broken_edge_shows_a_marker_and_a_problem(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("No problems")
    expect(page.get_by_test_id("edge-problem")).to_have_count(0)

    # Done moves into the Review phase: the edges into it now cross the phase's border
    x, y = center(node(page, "done").locator(".node-icon"))
    target_x, target_y = center(node(page, "review"))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(target_x - 40, target_y + 40, steps=12)
    page.mouse.up()
    assert box_inside(node(page, "done"), node(page, "review"))

    expect(page.get_by_test_id("edge-problem").first).to_be_visible()
    crossing = page.get_by_test_id("problem").filter(has_text="crosses a container boundary")
    expect(crossing.first).to_be_visible()
    expect(problems).to_contain_text("E114")
    # the marker explains itself on hover
    marker = page.get_by_test_id("edge-label").filter(has=page.get_by_test_id("edge-problem"))
    marker.first.hover()
    expect(marker.first.get_by_role("tooltip")).to_contain_text("crosses a container boundary")
    # the problem selects the edge it names
    crossing.first.click()
    expect(page.locator(".react-flow__edge.selected")).to_have_count(1)

    # undo puts Done back; the marker and the problem go away
    page.keyboard.press("Control+z")
    expect(problems).to_contain_text("No problems")
    expect(page.get_by_test_id("edge-problem")).to_have_count(0)


def test_bad_expression_outlines_the_node_and_names_the_field(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    select(page, "large")
    field(page, "large", "expression").fill("receipt.amount >")
    large = node(page, "large").locator(".wf-node")
    expect(large).to_have_class(re.compile("has-error"))
    problem = page.get_by_test_id("problem").filter(has_text="Large order?")
    expect(problem.first).to_be_visible()
    # the field itself carries the message, under the input
    expect(page.locator('[data-field="expression"] .field-problems')).not_to_be_empty()
    node(page, "large").get_by_test_id("node-problem").hover()
    expect(node(page, "large").get_by_role("tooltip")).to_be_visible()
    # from another tab, the problem opens the properties of the node it names
    page.get_by_role("tab", name="Project").click()
    page.locator(".react-flow__pane").click(position={"x": 700, "y": 40})
    problem.first.click()
    expect(page.get_by_test_id("node-inspector")).to_contain_text("large")
    # and a double-click on a node opens its properties too
    page.get_by_role("tab", name="Versions").click()
    still(page)  # the problem brought its node into view
    node(page, "done").locator(".node-label").dblclick()
    expect(page.get_by_test_id("node-inspector")).to_contain_text("done")
    select(page, "large")
    field(page, "large", "expression").fill("receipt.amount > 10")
    expect(large).not_to_have_class(re.compile("has-error"))
    expect(page.get_by_test_id("problems")).to_contain_text("No problems")

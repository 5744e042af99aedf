"""Expression fields complete the names in scope at their node, with their types, and after
`name.` the fields of its type: by keyboard or by mouse, the focus staying in the field and the
keys never reaching the canvas."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Api, shop_project
from tests.browser.conftest import orders_workflow as orders
from tests.browser.editor import field, node, open_editor, select
from tests.browser.test_accessibility import scan


def options(page: Page) -> Locator:
    return page.get_by_role("listbox").get_by_role("option")


def replace_text(page: Page, box: Locator, text: str) -> None:
    box.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(text)


def test_a_name_is_accepted_by_keyboard_and_by_mouse(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders()]))
    open_editor(page, server, project_id, "orders")
    select(page, "large")
    condition = field(page, "large", "expression")
    # the names arrive with the first validation
    expect(condition).to_have_attribute("role", "combobox", timeout=30_000)
    listbox = page.get_by_role("listbox")

    replace_text(page, condition, "rec")
    expect(condition).to_have_attribute("aria-expanded", "true")
    expect(options(page)).to_have_count(1)
    expect(options(page).first).to_contain_text("receipt")
    expect(options(page).first).to_contain_text("Receipt")
    page.keyboard.press("Enter")
    expect(condition).to_have_value("receipt")
    expect(listbox).to_be_hidden()

    # after a dot, the fields of the record; the arrows move, Tab accepts
    page.keyboard.type(".")
    expect(options(page)).to_have_text([re.compile(r"amount\s*int"), re.compile(r"id\s*str")])
    expect(options(page).nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(options(page).nth(1)).to_have_attribute("aria-selected", "true")
    expect(condition).to_have_attribute(
        "aria-activedescendant", options(page).nth(1).get_attribute("id") or "missing"
    )
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    expect(condition).to_have_value("receipt.amount")
    expect(condition).to_be_focused()

    # Escape closes the list and nothing else: the node stays selected, its form open
    page.keyboard.type(" > inp")
    expect(options(page).first).to_contain_text("input")
    failing = scan(page, "expression field with its suggestions")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(condition).to_have_value("receipt.amount > inp")
    expect(node(page, "large")).to_have_class(re.compile(r"\bselected\b"))
    expect(page.get_by_test_id("node-inspector")).to_be_visible()

    # Ctrl+Space opens it again; a click on an option accepts it, the focus staying put
    page.keyboard.press("Control+Space")
    option = options(page).filter(has_text=re.compile(r"^input"))
    expect(option).to_contain_text("OrdersInput")
    option.click()
    expect(condition).to_have_value("receipt.amount > input")
    expect(condition).to_be_focused()
    page.keyboard.type(".am")
    page.keyboard.press("Enter")
    expect(condition).to_have_value("receipt.amount > input.amount")

    # the document is valid again: the condition's problems are gone
    expect(node(page, "large").get_by_test_id("node-problem")).to_have_count(0, timeout=30_000)
    stored = condition.input_value()
    select(page, "notify")
    select(page, "large")
    expect(field(page, "large", "expression")).to_have_value(stored)
    assert not failing, "\n".join(failing)


def test_a_step_inside_a_phase_completes_the_results_before_it(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders()]))
    open_editor(page, server, project_id, "orders")
    select(page, "notify")
    text = field(page, "notify", "args.text")
    expect(text).to_have_attribute("role", "combobox", timeout=30_000)
    replace_text(page, text, "str(receipt.a")
    expect(options(page)).to_have_text([re.compile(r"amount\s*int")])
    page.keyboard.press("Enter")
    page.keyboard.type(")")
    expect(text).to_have_value("str(receipt.amount)")


def test_the_workflow_id_template_completes_the_input_alone(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders()]))
    open_editor(page, server, project_id, "orders")
    template = page.locator('[id="workflow-settings.id_template"]')
    expect(template).to_have_attribute("role", "combobox", timeout=30_000)
    # outside the braces, text is text: nothing to complete
    replace_text(page, template, "order-")
    page.keyboard.press("Control+Space")
    expect(template).to_have_attribute("aria-expanded", "false")
    page.keyboard.type("{")
    page.keyboard.press("Control+Space")
    # made before the workflow runs: no step results, no state, no workflow clock
    expect(options(page).filter(has_text=re.compile(r"^input"))).to_contain_text("OrdersInput")
    expect(options(page).filter(has_text=re.compile(r"^(receipt|now)\b"))).to_have_count(0)
    page.keyboard.press("Escape")
    page.keyboard.type("inp")
    page.keyboard.press("Enter")
    page.keyboard.type(".")
    expect(options(page)).to_have_text([re.compile(r"amount\s*int")])
    page.keyboard.press("Enter")
    page.keyboard.type("}")
    expect(template).to_have_value("order-{input.amount}")
    expect(template).to_be_focused()

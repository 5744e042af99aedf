"""The project list and a project's workflows: create, rename, import, open, delete."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import orders_workflow, shop_project
from tests.browser.editor import nodes


def test_projects_and_workflows(page: Page, server: str, tmp_path: Path) -> None:
    page.goto(f"{server}/#/")
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()

    page.get_by_label("New project name").fill("Payments team")
    page.get_by_role("button", name="Create project").click()
    card = page.get_by_test_id("project-card").filter(has_text="payments-team")
    expect(card).to_contain_text("Payments team")

    card.get_by_title("Rename").click()
    page.get_by_label("Project name", exact=True).fill("Payments")
    page.get_by_label("Project name", exact=True).press("Enter")
    expect(card.locator(".card-title")).to_have_text("Payments")

    # a project document imported from a file
    document = tmp_path / "shop.json"
    document.write_text(json.dumps(shop_project("nav-shop", [orders_workflow()])))
    page.get_by_test_id("import-file").set_input_files(str(document))
    imported = page.get_by_test_id("project-card").filter(has_text="nav-shop")
    expect(imported).to_contain_text("1 workflow")

    # a new workflow opens on an empty canvas
    card.locator(".card-main").click()
    expect(page.get_by_role("heading", name="Payments")).to_be_visible()
    page.get_by_label("New workflow name").fill("Refund flow")
    page.get_by_role("button", name="Create workflow").click()
    expect(page.get_by_test_id("workflow-name")).to_have_text("Refund flow")
    expect(nodes(page)).to_have_count(0)
    page.get_by_role("link", name="Payments").click()
    expect(page.get_by_test_id("workflow-card")).to_contain_text("refund-flow")

    page.get_by_role("link", name="Projects").click()
    page.once("dialog", lambda dialog: dialog.accept())
    imported.get_by_title("Delete").click()
    expect(imported).to_have_count(0)
    expect(card).to_be_visible()

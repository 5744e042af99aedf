"""Starting from a template: a new project from a pattern or a sample, a pattern added to a
project as a new workflow, each opened in the editor with the template's nodes on the canvas."""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect

import samples
from tests.browser.editor import node, nodes

PATTERNS = samples.FOLDER / "templates"


def template_card(page: Page, template: str) -> Locator:
    return page.locator(f'[data-testid="template-card"][data-template-id="{template}"]')


def start_from(page: Page, template: str) -> None:
    page.get_by_test_id("start-from").click()
    template_card(page, template).click()
    expect(page.get_by_test_id("start-from")).not_to_have_text("Start from: Empty")


def test_projects_and_workflows_from_templates(page: Page, server: str, project_id: str) -> None:
    approval = json.loads((PATTERNS / "approval.json").read_text())["workflows"][0]
    sample = samples.load("package-management")
    poller = next(w for w in sample["workflows"] if w["id"] == "mcp-poller")

    page.goto(f"{server}/#/")
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()

    # a project from the approval pattern: the card tells what it holds
    page.get_by_test_id("start-from").click()
    card = template_card(page, "approval")
    expect(card).to_contain_text("Approval")
    expect(card).to_contain_text(f"{len(approval['nodes'])} nodes")
    expect(template_card(page, "package-management")).to_contain_text("Package Management")
    card.click()
    expect(page.get_by_test_id("start-from")).to_have_text("Start from: Approval")
    page.get_by_label("New project name").fill(f"{project_id} approvals")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name=f"{project_id} approvals")).to_be_visible()
    workflow_card = page.get_by_test_id("workflow-card").filter(has_text="approval")
    expect(workflow_card).to_contain_text(f"{len(approval['nodes'])} nodes")
    workflow_card.locator(".card-main").click()
    expect(page.get_by_test_id("workflow-name")).to_have_text("Approval")
    expect(nodes(page)).to_have_count(len(approval["nodes"]))
    expect(node(page, "gate")).to_contain_text("Approval")

    # a pattern added to that project: its child workflow comes along
    page.get_by_role("link", name=f"{project_id} approvals").click()
    page.get_by_test_id("start-from").click()
    expect(template_card(page, "fan-out")).to_be_visible()
    expect(template_card(page, "package-management")).to_have_count(0)
    template_card(page, "fan-out").click()
    page.get_by_label("New workflow name").fill("Batch")
    page.get_by_role("button", name="Create workflow").click()
    expect(page.get_by_test_id("workflow-name")).to_have_text("Fan-out")
    expect(nodes(page)).to_have_count(3)
    expect(node(page, "spawn")).to_contain_text("Process each item")
    page.get_by_role("link", name=f"{project_id} approvals").click()
    expect(page.get_by_test_id("workflow-card")).to_have_count(3)
    expect(page.get_by_test_id("workflow-card").filter(has_text="process-item")).to_be_visible()

    # a name already taken in the project is refused, and nothing is added
    start_from(page, "saga")
    page.get_by_label("New workflow name").fill("Batch")
    page.get_by_role("button", name="Create workflow").click()
    expect(page.get_by_role("alert")).to_contain_text("already has a workflow 'batch'")
    expect(page.get_by_test_id("workflow-card")).to_have_count(3)

    # a project from a sample, named after it unless told otherwise
    page.get_by_role("link", name="Projects").click()
    start_from(page, "package-management")
    expect(page.get_by_label("New project name")).to_have_value("Package Management")
    page.get_by_label("New project name").fill(f"{project_id} builds")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name=f"{project_id} builds")).to_be_visible()
    expect(page.get_by_test_id("workflow-card")).to_have_count(len(sample["workflows"]))
    page.get_by_test_id("workflow-card").filter(has_text="mcp-poller").locator(".card-main").click()
    expect(page.get_by_test_id("workflow-name")).to_have_text(poller["name"])
    expect(nodes(page)).to_have_count(len(poller["nodes"]))
    expect(node(page, poller["nodes"][0]["id"])).to_be_visible()

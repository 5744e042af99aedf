"""An axe-core scan of the editor's screens, in the light and the dark scheme.

axe-core comes bundled with axe-playwright-python (no network). A violation of impact "serious" or
"critical" fails the test, and so does any of the page's structure (one h1, headings in order,
landmarks), which a screen reader user moves through; the lesser ones are printed, to be read with
`pytest -s`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from samples import load
from tests.browser.conftest import Api, PageErrors, save_artifact
from tests.browser.editor import node, open_editor, select

SAMPLE = "package-management"
WORKFLOW = "package-builder"
FAILING = {"serious", "critical"}
# the rules of a page's outline, failing at any impact (axe rates most of them "moderate")
STRUCTURE = re.compile(r"page-has-heading-one|heading-order|landmark-.*")

Scheme = Literal["light", "dark"]


@pytest.fixture(params=["light", "dark"])
def scheme(request: pytest.FixtureRequest) -> Scheme:
    chosen: Scheme = request.param
    return chosen


@pytest.fixture
def schemed_page(browser: Browser, page_errors: PageErrors, scheme: Scheme) -> Iterator[Page]:
    """A page whose system colour scheme is `scheme`."""
    context: BrowserContext = browser.new_context(
        viewport={"width": 1440, "height": 900}, color_scheme=scheme
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(f"pageerror: {error}"))
    try:
        yield page
    finally:
        context.close()
    assert list(page_errors) == []


def describe(violation: dict[str, Any]) -> str:
    targets = "; ".join(" ".join(map(str, item["target"])) for item in violation["nodes"][:6])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} [{targets}]"


def scan(page: Page, screen: str) -> list[str]:
    """The serious and critical violations on the page now, and those of its structure, each
    described in one line; the others are printed. A screenshot of the page goes to
    test-artifacts/, to look at."""
    save_artifact(page, "accessibility-" + re.sub(r"[^a-z]+", "-", screen).strip("-") + ".png")
    results = Axe().run(page)
    failing: list[str] = []
    for violation in results.response["violations"]:
        line = f"{screen}: {describe(violation)}"
        if violation["impact"] in FAILING or STRUCTURE.fullmatch(violation["id"]):
            failing.append(line)
        else:
            print(line)
    return failing


def test_screens_have_no_serious_violations(
    schemed_page: Page, server: str, api: Api, project_id: str, scheme: Scheme
) -> None:
    page = schemed_page
    project = load(SAMPLE)
    project["id"] = project_id
    api.import_project(project)
    failing: list[str] = []

    page.goto(f"{server}/#/")
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)
    failing += scan(page, f"projects ({scheme})")

    open_editor(page, server, project_id, WORKFLOW)
    # one h1, the workflow's name; the side panels are landmarks named for what they hold
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Package Builder")
    expect(page.get_by_role("complementary", name="Node kinds")).to_be_visible()
    expect(page.get_by_role("complementary", name="Details")).to_be_visible()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_be_visible()
    # an activity: the inspector shows the most kinds of field (expressions, durations, lists)
    select(page, "dependency_graph")
    expect(node(page, "dependency_graph")).to_have_class(re.compile(r"\bselected\b"))
    expect(page.get_by_test_id("node-inspector")).to_be_visible()
    failing += scan(page, f"editor with the inspector ({scheme})")

    # a node is announced by its kind and label, an edge by the labels it joins and its port
    expect(node(page, "dependency_graph")).to_have_attribute(
        "aria-label", "Activity: Build Dependency Graph"
    )
    expect(
        page.get_by_role(
            "group", name="Connection from All plans present? (false) to Plans missing"
        )
    ).to_have_count(1)

    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    failing += scan(page, f"shortcuts ({scheme})")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    page.get_by_role("tab", name="Code").click()
    expect(page.locator(".code-view")).to_be_visible(timeout=30_000)
    failing += scan(page, f"code ({scheme})")

    page.get_by_role("tab", name="Run").click()
    expect(page.locator(".run-panel")).to_be_visible()
    failing += scan(page, f"run panel ({scheme})")

    # the forms of dicts and lists: the project's types, the workflow's input
    page.get_by_role("tab", name="Project").click()
    expect(page.get_by_test_id("project-panel")).to_be_visible()
    failing += scan(page, f"project settings ({scheme})")
    page.get_by_role("tab", name="Properties").click()
    pane = page.locator(".react-flow__pane")
    box = pane.bounding_box()
    assert box is not None
    pane.click(position={"x": box["width"] - 60, "y": 40})
    expect(page.get_by_test_id("workflow-settings")).to_be_visible()
    failing += scan(page, f"workflow settings ({scheme})")

    assert not failing, "\n".join(failing)


def test_question_mark_lists_every_shortcut(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    project = load(SAMPLE)
    project["id"] = project_id
    api.import_project(project)
    open_editor(page, server, project_id, WORKFLOW)
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")

    # typed in a field, ? is text
    label = page.locator('[id="node-start-label"]')
    select(page, "start")
    label.click()
    page.keyboard.press("End")
    page.keyboard.type("?")
    expect(label).to_have_value("Start?")
    expect(dialog).to_be_hidden()

    # outside a field, it opens the list; Escape closes it and gives the focus back
    select(page, "start")
    page.keyboard.press("Shift+Slash")
    expect(dialog).to_be_visible()
    for does in ("Save", "Undo", "Redo", "Find a node", "Select every node", "Delete the selected"):
        expect(dialog).to_contain_text(does)
    listed = " | ".join(dialog.locator("dt").all_inner_texts())
    for keys in (
        "Ctrl S",
        "Ctrl Z",
        "Ctrl Shift Z",
        "Ctrl Y",
        "Ctrl F",
        "Ctrl A",
        "Ctrl C",
        "Ctrl X",
    ):
        assert keys in listed, listed
    for keys in ("Ctrl V", "Delete", "Backspace", "Shift drag", "Tab", "Escape", "?", "-", "+"):
        assert keys in listed, listed
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # the Escape closed the dialog and nothing else: the node is still selected
    expect(node(page, "start")).to_have_class(re.compile(r"\bselected\b"))


def test_a_node_reached_by_keyboard_shows_the_focus(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    project = load(SAMPLE)
    project["id"] = project_id
    api.import_project(project)
    open_editor(page, server, project_id, WORKFLOW)
    start = node(page, "start")
    ring = "element => getComputedStyle(element.querySelector('.wf-node')).outlineStyle"

    select(page, "start")  # a click: no ring
    expect(start).to_be_focused()
    assert start.evaluate(ring) == "none"

    # from the palette's last kind, Tab goes on through the canvas's edges to its nodes
    page.locator(".palette-item").last.focus()
    focused = page.locator(".react-flow__node:focus")
    for _ in range(60):
        page.keyboard.press("Tab")
        if focused.count():
            break
    expect(focused).to_have_count(1)
    assert focused.evaluate(ring) == "solid"

"""Saving with revisions: two editors on one workflow, and versions with a diff on the canvas."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Api, orders_workflow, shop_project
from tests.browser.editor import drop, field, node, nodes, open_editor, select


def rename(page: Page, node_id: str, label: str) -> None:
    # a page in the background runs its timers slowly: work in the one in front, like a user
    page.bring_to_front()
    page.get_by_role("tab", name="Properties").click()
    select(page, node_id)
    field(page, node_id, "label").fill(label)
    page.locator(".react-flow__pane").click(position={"x": 700, "y": 40})


def test_conflict_between_two_editors(
    context: BrowserContext, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    mine, theirs = context.new_page(), context.new_page()
    open_editor(theirs, server, project_id, "orders")
    open_editor(mine, server, project_id, "orders")

    rename(theirs, "charge", "Charge card")
    theirs.keyboard.press("Control+s")
    expect(theirs.get_by_test_id("saved")).to_contain_text("revision 2")

    # both change the same node: a real conflict (edits to different nodes merge)
    rename(mine, "charge", "Charge now")
    rename(mine, "done", "Finished")
    mine.get_by_test_id("save").click()
    dialog = mine.get_by_test_id("conflict-dialog")
    expect(dialog).to_be_visible()
    # their version is shown before anything is overwritten: in the dialog and on the canvas
    expect(dialog.get_by_test_id("their-version")).to_contain_text("Charge card")
    expect(dialog.get_by_test_id("their-version")).to_contain_text("Finished")
    expect(node(mine, "charge").locator(".wf-node")).to_have_class(re.compile("diff-changed"))
    expect(mine.get_by_test_id("unsaved")).to_be_visible()

    dialog.get_by_role("button", name="Overwrite with mine").click()
    expect(dialog).to_have_count(0)
    expect(mine.get_by_test_id("saved")).to_contain_text("revision 3")
    labels = {n["id"]: n["label"] for n in api.workflow(project_id, "orders")["document"]["nodes"]}
    assert labels["done"] == "Finished"
    assert labels["charge"] == "Charge now"

    # the other editor is now behind: it takes the saved version instead
    rename(theirs, "charge", "Charge later")
    theirs.keyboard.press("Control+s")
    dialog = theirs.get_by_test_id("conflict-dialog")
    expect(dialog.get_by_test_id("their-version")).to_contain_text("Finished")
    dialog.get_by_role("button", name="Reload theirs").click()
    expect(dialog).to_have_count(0)
    expect(theirs.get_by_test_id("saved")).to_contain_text("revision 3")
    expect(node(theirs, "done")).to_contain_text("Finished")
    expect(node(theirs, "charge")).to_contain_text("Charge now")
    # and taking theirs is undoable: the edit comes back, unsaved
    theirs.keyboard.press("Control+z")
    expect(node(theirs, "charge")).to_contain_text("Charge later")
    expect(theirs.get_by_test_id("unsaved")).to_be_visible()
    theirs.close()
    mine.close()


def test_versions_create_compare_and_restore(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    page.get_by_role("tab", name="Versions").click()
    panel = page.get_by_test_id("versions-panel")
    panel.get_by_label("Version message").fill("First draft")
    panel.get_by_role("button", name="Create version").click()
    expect(panel.get_by_test_id("version")).to_have_count(1)
    expect(panel.get_by_test_id("version").first).to_contain_text("First draft")

    # change the graph: remove Notify, rename Charge, add a timer
    select(page, "notify")
    page.keyboard.press("Delete")
    rename(page, "charge", "Charge card")
    drop(page, "timer", 650, 120)
    expect(nodes(page)).to_have_count(6)
    page.get_by_role("tab", name="Versions").click()

    panel.get_by_role("button", name="Compare").click()
    summary = panel.get_by_test_id("diff-summary")
    expect(summary).to_contain_text("Compared with version 1")
    expect(summary).to_contain_text("Charge card")
    expect(summary.locator(".change-field", has_text="label")).to_be_visible()
    expect(page.get_by_test_id("ghost-node")).to_contain_text("Notify")
    expect(node(page, "charge").locator(".wf-node")).to_have_class(re.compile("diff-changed"))
    expect(node(page, "timer_1").locator(".wf-node")).to_have_class(re.compile("diff-added"))
    summary.get_by_role("button", name="Close").click()
    expect(page.get_by_test_id("ghost-node")).to_have_count(0)

    panel.get_by_role("button", name="Restore").click()
    page.get_by_test_id("restore-dialog").get_by_role("button", name="Restore version 1").click()
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    expect(node(page, "notify")).to_have_count(1)
    expect(node(page, "timer_1")).to_have_count(0)
    expect(node(page, "charge")).to_contain_text("Charge")
    restored = api.workflow(project_id, "orders")
    assert restored["revision"] == 2
    assert {n["id"] for n in restored["document"]["nodes"]} == {
        "start",
        "charge",
        "large",
        "review",
        "notify",
        "done",
    }

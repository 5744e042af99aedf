"""Versions and collaboration: restoring asks first, and a tab learns at once that its workflow
was saved elsewhere (another tab, another person) and can reload it."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Api, orders_workflow, shop_project
from tests.browser.editor import field, node, open_editor, select
from tests.support.waits import slowness


def rename(page: Page, node_id: str, label: str) -> None:
    page.bring_to_front()
    page.get_by_role("tab", name="Properties").click()
    select(page, node_id)
    field(page, node_id, "label").fill(label)
    page.locator(".react-flow__pane").click(position={"x": 700, "y": 40})


def save(page: Page, revision: int) -> None:
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("saved")).to_contain_text(f"revision {revision}")


def labels(api: Api, project_id: str) -> dict[str, str]:
    document = api.workflow(project_id, "orders")["document"]
    return {n["id"]: n["label"] for n in document["nodes"]}


def test_restoring_a_version_asks_first(page: Page, server: str, api: Api, project_id: str) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    page.get_by_role("tab", name="Versions").click()
    panel = page.get_by_test_id("versions-panel")
    panel.get_by_label("Version message").fill("Before the review")
    panel.get_by_role("button", name="Create version").click()
    expect(panel.get_by_test_id("version")).to_have_count(1)

    rename(page, "charge", "Charge card")
    page.get_by_role("tab", name="Versions").click()
    panel.get_by_role("button", name="Restore").click()
    dialog = page.get_by_test_id("restore-dialog")
    expect(dialog).to_contain_text("Restore version 1 “Before the review”?")
    expect(dialog).to_contain_text("The current draft (revision 1) is replaced by version 1")
    expect(dialog.get_by_test_id("restore-unsaved")).to_contain_text("unsaved edits")

    # cancelling keeps the draft and the edits, on the canvas and on the server
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(node(page, "charge")).to_contain_text("Charge card")
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    assert api.workflow(project_id, "orders")["revision"] == 1

    # Escape cancels too; with the edits saved, the dialog no longer speaks of them
    save(page, 2)
    panel.get_by_role("button", name="Restore").click()
    expect(dialog).to_contain_text("The current draft (revision 2)")
    expect(dialog.get_by_test_id("restore-unsaved")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert labels(api, project_id)["charge"] == "Charge card"

    panel.get_by_role("button", name="Restore").click()
    dialog.get_by_role("button", name="Restore version 1").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("saved")).to_contain_text("revision 3")
    expect(node(page, "charge")).to_contain_text("Charge")
    expect(node(page, "charge")).not_to_contain_text("Charge card")
    assert labels(api, project_id)["charge"] == "Charge"


def test_a_save_elsewhere_is_told_at_once_and_reloads(
    context: BrowserContext, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    mine, theirs = context.new_page(), context.new_page()
    open_editor(mine, server, project_id, "orders")
    open_editor(theirs, server, project_id, "orders")
    # "a few seconds": two polls and the settling time, on an idle machine
    soon = 6_000 * slowness()
    banner = mine.get_by_test_id("saved-elsewhere")

    rename(theirs, "charge", "Charge card")
    save(theirs, 2)
    mine.bring_to_front()
    expect(banner).to_contain_text("Saved elsewhere at", timeout=soon)
    expect(banner).to_contain_text("(revision 2)")
    expect(banner).not_to_contain_text("unsaved edits")
    # the tab that saved is not told about its own save
    expect(theirs.get_by_test_id("saved-elsewhere")).to_have_count(0)

    # without edits of its own, one click brings the change
    banner.get_by_role("button", name="Reload").click()
    expect(banner).to_have_count(0)
    expect(node(mine, "charge")).to_contain_text("Charge card")
    expect(mine.get_by_test_id("saved")).to_contain_text("revision 2")

    # with edits of its own, the banner says how saving them goes: where both changed the same
    # node, through the conflict dialog
    rename(mine, "done", "Finished")
    rename(theirs, "done", "Complete")
    save(theirs, 3)
    mine.bring_to_front()
    expect(banner).to_contain_text("(revision 3)", timeout=soon)
    expect(banner).to_contain_text("You have unsaved edits")
    expect(banner).to_contain_text("conflict dialog")
    mine.get_by_test_id("save").click()
    expect(mine.get_by_test_id("conflict-dialog")).to_be_visible()
    assert labels(api, project_id)["done"] == "Complete"
    mine.get_by_test_id("conflict-dialog").get_by_role("button", name="Cancel").click()

    # taking theirs from the banner keeps the own edits one undo away
    banner.get_by_role("button", name="Reload theirs").click()
    expect(banner).to_have_count(0)
    expect(node(mine, "done")).to_contain_text("Complete")
    mine.keyboard.press("Control+z")
    expect(node(mine, "done")).to_contain_text("Finished")
    theirs.close()
    mine.close()


def test_two_tabs_editing_different_nodes_both_land_without_a_dialog(
    context: BrowserContext, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    mine, theirs = context.new_page(), context.new_page()
    open_editor(mine, server, project_id, "orders")
    open_editor(theirs, server, project_id, "orders")

    rename(theirs, "charge", "Charge card")
    save(theirs, 2)
    rename(mine, "done", "Finished")
    # saved over revision 1, refused (409), merged onto revision 2 and saved as 3
    save(mine, 3)
    expect(mine.get_by_test_id("conflict-dialog")).to_have_count(0)
    expect(mine.get_by_text("merged with revision 2 saved elsewhere")).to_be_visible()
    # the tab shows both changes, and the server holds both
    expect(node(mine, "charge")).to_contain_text("Charge card")
    expect(node(mine, "done")).to_contain_text("Finished")
    saved = labels(api, project_id)
    assert (saved["charge"], saved["done"]) == ("Charge card", "Finished")

    # and back the other way: the first tab's next edit merges over the second's save
    rename(theirs, "start", "Begin")
    save(theirs, 4)
    expect(theirs.get_by_test_id("conflict-dialog")).to_have_count(0)
    expect(node(theirs, "done")).to_contain_text("Finished")
    saved = labels(api, project_id)
    assert (saved["start"], saved["charge"], saved["done"]) == ("Begin", "Charge card", "Finished")
    theirs.close()
    mine.close()

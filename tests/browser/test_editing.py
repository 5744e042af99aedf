"""Editing on the canvas: undo and redo, copy and paste (also into another workflow), find."""

from __future__ import annotations

import re

from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import Api, orders_workflow, shop_project
from tests.browser.editor import center, field, node, nodes, open_editor, select


def test_undo_and_redo_every_kind_of_edit(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    expect(nodes(page)).to_have_count(6)
    expect(page.get_by_test_id("saved")).to_be_visible()

    # delete, undo, redo
    select(page, "charge")
    page.keyboard.press("Delete")
    expect(node(page, "charge")).to_have_count(0)
    expect(page.locator(".react-flow__edge")).to_have_count(3)
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    page.keyboard.press("Control+z")
    expect(node(page, "charge")).to_have_count(1)
    expect(page.locator(".react-flow__edge")).to_have_count(5)
    expect(page.get_by_test_id("saved")).to_be_visible()
    page.keyboard.press("Control+Shift+z")
    expect(node(page, "charge")).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(node(page, "charge")).to_have_count(1)

    # a config edit typed into the properties panel is one step
    select(page, "large")
    field(page, "large", "expression").fill("receipt.amount > 500")
    expect(node(page, "large")).to_contain_text("receipt.amount > 500")
    page.locator(".react-flow__pane").click(position={"x": 700, "y": 40})
    page.keyboard.press("Control+z")
    expect(node(page, "large")).to_contain_text("receipt.amount > 100")
    page.keyboard.press("Control+Shift+z")
    expect(node(page, "large")).to_contain_text("receipt.amount > 500")

    # shift-click adds to the selection; Delete removes all of it in one step
    select(page, "charge")
    node(page, "large").locator(".node-label").click(modifiers=["Shift"])
    expect(page.locator(".react-flow__node.selected")).to_have_count(2)
    page.keyboard.press("Delete")
    expect(nodes(page)).to_have_count(4)
    page.keyboard.press("Control+z")
    expect(nodes(page)).to_have_count(6)

    # auto-layout moves nodes, as one undoable step
    start_box = node(page, "start").bounding_box()
    page.get_by_role("button", name="Auto-layout").click()
    at_start = re.compile(r"translate\(300px, ?0px\)")
    expect(node(page, "start")).not_to_have_attribute("style", at_start)
    page.keyboard.press("Control+z")
    expect(node(page, "start")).to_have_attribute("style", at_start)
    assert node(page, "start").bounding_box() == start_box

    # a move is one step; the toolbar's buttons do the same as the keys
    before = node(page, "start").bounding_box()
    assert before is not None
    x, y = center(node(page, "start").locator(".node-icon"))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 150, y + 40, steps=10)
    page.mouse.up()
    moved = node(page, "start").bounding_box()
    assert moved is not None and moved["x"] > before["x"] + 100
    page.get_by_title("Undo (Ctrl+Z)").click()
    back = node(page, "start").bounding_box()
    assert back is not None and abs(back["x"] - before["x"]) < 1
    page.get_by_title("Redo (Ctrl+Shift+Z)").click()
    again = node(page, "start").bounding_box()
    assert again is not None and abs(again["x"] - moved["x"]) < 1

    # with unsaved changes, closing the page asks first
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert asked == ["beforeunload"]


def test_copy_and_paste_within_and_across_workflows(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    refunds = {"id": "refunds", "name": "Refunds", "input": {"amount": "int"}}
    api.import_project(shop_project(project_id, [orders_workflow(), refunds]))
    open_editor(page, server, project_id, "orders")

    # a container comes with what it holds
    select(page, "review")
    page.keyboard.press("Control+c")
    expect(page.get_by_test_id("toast")).to_contain_text("Copied 2 nodes")
    page.keyboard.press("Control+v")
    expect(nodes(page)).to_have_count(8)
    expect(page.locator(".node-label", has_text="Review")).to_have_count(2)
    expect(page.locator(".node-label", has_text="Notify")).to_have_count(2)
    # the copy is selected, offset from the original
    copy = page.locator(".react-flow__node.selected")
    expect(copy).to_have_count(1)
    expect(copy).to_contain_text("Review")

    # Ctrl+A, then paste the whole graph into another workflow
    page.keyboard.press("Control+a")
    expect(page.locator(".react-flow__node.selected")).to_have_count(8)
    page.keyboard.press("Control+c")
    # leaving with unsaved changes asks first: the first answer stays, the second leaves
    questions: list[str] = []

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        if len(questions) == 1:
            dialog.dismiss()
        else:
            dialog.accept()

    page.on("dialog", answer)
    page.goto(f"{server}/#/projects/{project_id}/workflows/refunds")
    expect(page.get_by_test_id("workflow-name")).to_have_text("Orders")
    expect(nodes(page)).to_have_count(8)
    page.goto(f"{server}/#/projects/{project_id}/workflows/refunds")
    expect(page.get_by_test_id("workflow-name")).to_have_text("Refunds")
    assert len(questions) == 2 and "unsaved changes" in questions[0]
    expect(nodes(page)).to_have_count(0)
    page.keyboard.press("Control+v")
    expect(nodes(page)).to_have_count(8)
    expect(page.locator(".react-flow__edge")).to_have_count(5)
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    saved = api.workflow(project_id, "refunds")["document"]
    charge = next(n for n in saved["nodes"] if n["label"] == "Charge")
    assert charge["config"] == {
        "activity": "charge",
        "args": {"amount": "input.amount"},
        "result": "receipt",
    }
    children = [n for n in saved["nodes"] if n["parent_id"]]
    assert len(children) == 2
    assert all(c["parent_id"] in {n["id"] for n in saved["nodes"]} for c in children)


def test_find_a_node_by_label(page: Page, server: str, api: Api, project_id: str) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    page.keyboard.press("Control+f")
    search = page.get_by_label("Find a node by label")
    expect(search).to_be_focused()
    search.fill("notif")
    expect(page.get_by_test_id("find-bar")).to_contain_text("1 found")
    search.press("Enter")
    expect(page.get_by_test_id("find-bar")).to_have_count(0)
    expect(node(page, "notify").locator(".wf-node")).to_have_class(re.compile("selected"))
    expect(page.get_by_test_id("node-inspector")).to_contain_text("notify")


def test_containers_move_with_their_children_and_resize(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id, [orders_workflow()]))
    open_editor(page, server, project_id, "orders")
    review, notify = node(page, "review"), node(page, "notify")
    phase_before, child_before = review.bounding_box(), notify.bounding_box()
    assert phase_before and child_before

    x, y = center(review.locator(".container-header .node-label"))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60, y + 50, steps=10)
    page.mouse.up()
    phase_after, child_after = review.bounding_box(), notify.bounding_box()
    assert phase_after and child_after
    moved_x = phase_after["x"] - phase_before["x"]
    assert moved_x < -40
    assert abs((child_after["x"] - child_before["x"]) - moved_x) < 1
    assert abs((child_after["y"] - child_before["y"]) - (phase_after["y"] - phase_before["y"])) < 1

    # the selected container shows its resize handles
    corner = review.locator(".react-flow__resize-control.handle.bottom.right")
    expect(corner).to_be_visible()
    x, y = center(corner)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 80, steps=10)
    page.mouse.up()
    resized = review.bounding_box()
    assert resized and resized["width"] > phase_after["width"] + 80
    page.keyboard.press("Control+z")
    undone = review.bounding_box()
    assert undone and abs(undone["width"] - phase_after["width"]) < 1
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    saved = {n["id"]: n for n in api.workflow(project_id, "orders")["document"]["nodes"]}
    assert saved["review"]["size"] == {"width": 320, "height": 200}
    assert saved["review"]["position"] != {"x": 80, "y": 380}
    assert saved["notify"]["position"] == {"x": 50, "y": 80}

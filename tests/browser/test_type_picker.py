"""Type fields are picked: a primitive or a project type, a list or a dict of one, optional or
not; a workflow's output may be nothing, shown as such and never as the text `None`, and left
out of the document (which older documents wrote `"None"`). The type's text stays editable for
what the picker cannot show."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, shop_project
from tests.browser.conftest import orders_workflow as orders
from tests.browser.editor import node, open_editor


def test_a_workflow_output_is_picked_and_nothing_is_not_the_text_none(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    # a document written when no output was the text "None"
    api.import_project(shop_project(project_id, [{**orders(), "output": "None"}]))
    open_editor(page, server, project_id, "orders")
    settings = page.get_by_test_id("workflow-settings")
    kind = settings.get_by_label("Output: type")
    text = page.locator('[id="workflow-output"]')

    # no output: the picker says so, and the text is empty, not `None`
    expect(kind.locator("option:checked")).to_have_text("nothing (no value)")
    expect(text).to_have_value("")

    kind.select_option(label="Receipt")
    expect(text).to_have_value("Receipt")
    settings.get_by_label("Output: optional").check()
    expect(text).to_have_value("Receipt | None")
    kind.select_option(label="list of …")
    expect(text).to_have_value("list[Receipt] | None")
    settings.get_by_label("Output: item type").select_option("int")
    settings.get_by_label("Output: optional").uncheck()
    expect(text).to_have_value("list[int]")

    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    assert api.workflow(project_id, "orders")["document"]["output"] == "list[int]"

    # a type the picker cannot show is typed, and the picker says it is one
    text.fill("Literal['small', 'large']")
    expect(kind.locator("option:checked")).to_have_text("other (typed below)")
    text.fill("dict[str, Receipt]")
    expect(kind.locator("option:checked")).to_have_text("dict of …")
    expect(settings.get_by_label("Output: value type")).to_have_value("Receipt")

    kind.select_option(label="nothing (no value)")
    expect(text).to_have_value("")
    expect(settings.get_by_label("Output: optional")).to_have_count(0)
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 3")
    assert "output" not in api.workflow(project_id, "orders")["document"]


def test_an_activity_output_and_an_update_return_of_nothing_are_left_out(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    # a document written when nothing was the text "None": the activity `notify` says it too
    workflow = orders()
    workflow["nodes"].append(
        {
            "id": "resize",
            "type": "update",
            "label": "Resize",
            "position": {"x": 700, "y": 0},
            "config": {"name": "resize", "params": {"size": "int"}, "returns": "None"},
        }
    )
    api.import_project(shop_project(project_id, [workflow]))
    open_editor(page, server, project_id, "orders")

    # the update's return type: nothing shows as such; picked again, it is left out
    node(page, "resize").locator(".node-label").first.click()
    returns = page.locator('[id="node-resize-returns"]')
    kind = page.get_by_label("Returns: type")
    expect(kind.locator("option:checked")).to_have_text("nothing (no value)")
    expect(returns).to_have_value("")
    kind.select_option(label="int")
    expect(returns).to_have_value("int")
    kind.select_option(label="nothing (no value)")
    expect(returns).to_have_value("")

    # an activity's output: the same
    page.get_by_role("tab", name="Project").click()
    panel = page.get_by_test_id("project-panel")
    output = page.locator('[id="project-activities.1.output"]')
    picker = panel.get_by_test_id("type-picker").filter(has=output).get_by_label("Output: type")
    expect(picker.locator("option:checked")).to_have_text("nothing (no value)")
    expect(output).to_have_value("")
    picker.select_option(label="str")
    expect(output).to_have_value("str")
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    project = api.client.get(f"/projects/{project_id}").json()
    assert project["activities"][1]["output"] == "str"
    saved = api.workflow(project_id, "orders")["document"]
    [update] = [n for n in saved["nodes"] if n["id"] == "resize"]
    assert "returns" not in update["config"]

    # typing the text away is nothing too, left out rather than written "None"
    output.fill("")
    expect(picker.locator("option:checked")).to_have_text("nothing (no value)")
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_be_visible()
    project = api.client.get(f"/projects/{project_id}").json()
    assert "output" not in project["activities"][1]
    assert project["activities"][0]["output"] == "Receipt"

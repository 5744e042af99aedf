"""Type fields are picked: a primitive or a project type, a list or a dict of one, optional or
not; a workflow's output may be nothing, shown as such and never as the text `None`, and left
out of the document (which older documents wrote `"None"`). The type's text stays editable for
what the picker cannot show."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, shop_project
from tests.browser.conftest import orders_workflow as orders
from tests.browser.editor import open_editor


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

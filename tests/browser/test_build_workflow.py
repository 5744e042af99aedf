"""Building a workflow from an empty canvas, by drag and drop, then saving and reloading it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, save_artifact, shop_project
from tests.browser.editor import (
    box_inside,
    connect,
    connect_to_body,
    drop,
    field,
    node,
    nodes,
    open_editor,
    select,
)


def test_build_configure_save_and_reload(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id))
    open_editor(page, server, project_id, "orders")
    expect(nodes(page)).to_have_count(0)
    # the palette is the catalogue, by category, and searchable
    palette = page.get_by_test_id("palette")
    expect(palette.locator("h3")).to_contain_text(["entries", "steps", "branching", "containers"])
    palette.get_by_label("Search nodes").fill("approv")
    expect(palette.locator(".palette-item")).to_have_count(1)
    expect(palette.locator(".palette-item")).to_contain_text("Wait / approval")
    palette.get_by_label("Search nodes").fill("")
    # the problems list folded, so that the canvas keeps its size as problems come and go and
    # the nodes dropped low on it stay in reach of the mouse
    page.locator(".problems-header").click()
    expect(page.get_by_test_id("problems")).not_to_have_class(re.compile(r"\bopen\b"))

    drop(page, "start", 300, 50)
    drop(page, "activity", 300, 160)
    drop(page, "condition", 300, 270)
    drop(page, "phase", 190, 450)
    drop(page, "end", 330, 680)
    expect(nodes(page)).to_have_count(5)
    # dropped onto the phase, the second activity lands inside it
    drop(page, "activity", 190, 470)
    expect(nodes(page)).to_have_count(6)
    assert box_inside(node(page, "activity_2"), node(page, "phase_1"))
    expect(page.get_by_test_id("unsaved")).to_be_visible()

    connect(page, "start_1", "out", "activity_1")
    connect(page, "activity_1", "out", "condition_1")
    connect(page, "condition_1", "true", "phase_1")
    # letting go over a node's body connects to its input
    connect_to_body(page, "condition_1", "false", "end_1")
    connect(page, "phase_1", "out", "end_1")
    expect(page.locator(".react-flow__edge")).to_have_count(5)
    expect(page.get_by_test_id("edge-label").filter(has_text="true")).to_be_visible()
    expect(page.get_by_test_id("edge-label").filter(has_text="false")).to_be_visible()

    # a port leads to one node: a second edge from `true` is refused, and the reason shown
    connect(page, "condition_1", "true", "end_1")
    expect(page.get_by_test_id("toast")).to_contain_text("already leads to")
    expect(page.locator(".react-flow__edge")).to_have_count(5)
    # a Start takes no incoming edge, and says so
    connect_to_body(page, "activity_2", "out", "start_1")
    expect(page.get_by_test_id("toast")).to_contain_text("takes no incoming edge")
    expect(page.locator(".react-flow__edge")).to_have_count(5)

    select(page, "activity_1")
    field(page, "activity_1", "label").fill("Charge")
    field(page, "activity_1", "activity").fill("charge")
    # the activity's input fields are offered as arguments
    field(page, "activity_1", "args.amount").fill("input.amount")
    field(page, "activity_1", "result").fill("receipt")
    select(page, "condition_1")
    field(page, "condition_1", "label").fill("Large order?")
    field(page, "condition_1", "expression").fill("receipt.amount > 100")
    select(page, "activity_2")
    field(page, "activity_2", "label").fill("Notify")
    field(page, "activity_2", "activity").fill("notify")
    field(page, "activity_2", "args.text").fill("'large order ' + receipt.id")
    select(page, "phase_1")
    field(page, "phase_1", "label").fill("Review")
    select(page, "end_1")
    field(page, "end_1", "label").fill("Done")
    page.locator(".react-flow__pane").click(position={"x": 600, "y": 30})
    expect(page.get_by_test_id("problems")).to_contain_text("No problems")

    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    saved = api.workflow(project_id, "orders")["document"]
    by_id = {n["id"]: n for n in saved["nodes"]}
    assert by_id["activity_1"]["config"] == {
        "activity": "charge",
        "args": {"amount": "input.amount"},
        "result": "receipt",
    }
    assert by_id["activity_2"]["parent_id"] == "phase_1"
    assert by_id["condition_1"]["config"] == {"expression": "receipt.amount > 100"}
    assert {(e["source"], e["source_handle"], e["target"]) for e in saved["edges"]} == {
        ("start_1", "out", "activity_1"),
        ("activity_1", "out", "condition_1"),
        ("condition_1", "true", "phase_1"),
        ("condition_1", "false", "end_1"),
        ("phase_1", "out", "end_1"),
    }

    # the generated code beside the graph: the activity call, and the selected node's lines
    page.get_by_role("tab", name="Code").click()
    code = page.get_by_test_id("code-panel")
    expect(code.locator(".code-view")).to_contain_text("workflow.execute_activity(")
    expect(code.locator(".code-view")).to_contain_text("charge")
    select(page, "activity_1")
    marked = code.locator(".code-line.marked")
    expect(marked.first).to_be_visible()
    expect(marked.filter(has_text="execute_activity")).not_to_have_count(0)
    # clicking a line selects the node it came from
    code.locator(".code-line", has_text="receipt.amount > 100").first.locator(
        ".line-number"
    ).click()
    expect(node(page, "condition_1").locator(".wf-node")).to_have_class(re.compile("selected"))
    expect(code.locator(".code-line.marked", has_text="receipt.amount > 100")).to_be_visible()
    save_artifact(page, "editor.png")
    with page.expect_download() as download:
        code.get_by_role("button", name="Download .zip").click()
    assert download.value.suggested_filename == f"{project_id.replace('-', '_')}.zip"
    page.get_by_role("tab", name="Properties").click()

    page.reload()
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    expect(nodes(page)).to_have_count(6)
    for label in ["Start", "Charge", "Large order?", "Review", "Notify", "Done"]:
        expect(page.locator(".node-label", has_text=label).first).to_be_visible()
    assert box_inside(node(page, "activity_2"), node(page, "phase_1"))
    expect(page.locator(".react-flow__edge")).to_have_count(5)
    select(page, "activity_1")
    expect(field(page, "activity_1", "activity")).to_have_value("charge")
    expect(field(page, "activity_1", "args.amount")).to_have_value("input.amount")
    assert api.workflow(project_id, "orders")["document"] == saved


def test_project_types_and_activities_are_edited_beside_the_graph(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    empty = shop_project(project_id)
    empty["types"], empty["activities"] = {}, []
    api.import_project(empty)
    open_editor(page, server, project_id, "orders")
    page.get_by_role("tab", name="Project").click()
    panel = page.get_by_test_id("project-panel")

    panel.get_by_role("button", name="Add type").click()
    panel.get_by_label("Types name").fill("Receipt")
    type_fields = panel.locator('[data-field="types.Receipt.fields"]')
    type_fields.get_by_role("button", name="Add entry").click()
    type_fields.get_by_label("Fields name").fill("amount")
    type_fields.locator('[id="project-types.Receipt.fields.amount"]').fill("int")

    panel.locator('[data-field="activities"]').get_by_role("button", name="Add").last.click()
    panel.locator('[id="project-activities.0.name"]').fill("charge")
    inputs = panel.locator('[data-field="activities.0.input"]')
    inputs.get_by_role("button", name="Add entry").click()
    inputs.get_by_label("Input name").fill("amount")
    inputs.locator('[id="project-activities.0.input.amount"]').fill("int")
    panel.locator('[id="project-activities.0.output"]').fill("Receipt")
    panel.locator('[id="project-activities.0.implementation"]').select_option("http")
    panel.locator('[id="project-activities.0.implementation.url"]').fill(
        "http://payments.internal/charge"
    )
    panel.locator('[id="project-activities.0.implementation.method"]').select_option("POST")
    expect(page.get_by_test_id("unsaved")).to_be_visible()

    # the catalogue is offered where a node names an activity
    page.get_by_role("tab", name="Properties").click()
    drop(page, "activity", 300, 160)
    options = page.locator('datalist[id="node-activity_1-activity-options"] option')
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "charge")
    field(page, "activity_1", "activity").fill("charge")
    expect(field(page, "activity_1", "args.amount")).to_be_visible()

    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    project = api.client.get(f"/projects/{project_id}").json()
    assert project["types"] == {"Receipt": {"description": "", "fields": {"amount": "int"}}}
    [activity] = project["activities"]
    assert activity["name"] == "charge"
    assert activity["input"] == {"amount": "int"}
    assert activity["output"] == "Receipt"
    assert activity["implementation"]["kind"] == "http"
    assert activity["implementation"]["method"] == "POST"
    assert activity["implementation"]["url"] == "http://payments.internal/charge"


def test_each_input_field_is_offered_a_default(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    api.import_project(shop_project(project_id))
    open_editor(page, server, project_id, "orders")
    settings = page.get_by_test_id("workflow-settings")
    expect(settings).to_contain_text("Input defaults")
    # the one input field, `amount`, waits for a default; left empty it has none
    amount = page.locator('[id="workflow-input_defaults.amount"]')
    expect(amount).to_have_value("")
    amount.fill("250")
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    assert api.workflow(project_id, "orders")["document"]["input_defaults"] == {"amount": 250}
    # a default that does not fit the field's type is a problem that names the field
    amount.fill('"a lot"')
    expect(page.get_by_test_id("problems")).to_contain_text("input field 'amount'")
    save_artifact(page, "input-defaults.png")

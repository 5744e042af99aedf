"""Typing into the editor's forms: every field keeps its focus and its whole text, and the keys
typed there never reach the canvas (Backspace inside a field deletes characters, not nodes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import ElementHandle, Locator, Page, expect

from tests.browser.conftest import Api, save_artifact
from tests.browser.editor import node, nodes, open_editor, select


def at(x: float, y: float) -> dict[str, float]:
    return {"x": x, "y": y}


def typing_project(project_id: str) -> dict[str, Any]:
    """One node of each kind whose form has a field of each sort, none of them empty."""
    return {
        "schema_version": 1,
        "id": project_id,
        "name": "Dispatch",
        "task_queue": "dispatch",
        "types": {"Parcel": {"fields": {"weight": "int"}}},
        "activities": [
            {
                "name": "ship",
                "input": {"name": "str", "count": "int", "note": "str"},
                "output": "str",
                "implementation": {"kind": "simulate", "result": "shipped"},
            },
            {
                "name": "notify",
                "input": {"text": "str"},
                "output": "None",
                "implementation": {"kind": "http", "url": "https://example.test/notify"},
            },
        ],
        "workflows": [
            {
                "id": "dispatch",
                "name": "Dispatch",
                "input": {"name": "str", "count": "int"},
                "state": [{"name": "total", "type": "int", "default": 0}],
                "nodes": [
                    {"id": "start", "type": "start", "label": "Start", "position": at(300, 0)},
                    {
                        "id": "ship",
                        "type": "activity",
                        "label": "Ship",
                        "position": at(300, 110),
                        # `name` and `count` are offered, empty, beside the one argument given
                        "config": {
                            "activity": "ship",
                            "args": {"note": "'fast'"},
                            "result": "sent",
                        },
                    },
                    {
                        "id": "check",
                        "type": "condition",
                        "label": "Sent?",
                        "position": at(300, 220),
                        "config": {"expression": "sent != ''"},
                    },
                    {
                        "id": "tally",
                        "type": "set_state",
                        "label": "Tally",
                        "position": at(120, 330),
                        "config": {"assignments": [{"target": "state.total", "value": "1"}]},
                    },
                    {
                        "id": "pick",
                        "type": "switch",
                        "label": "Pick",
                        "position": at(480, 330),
                        "config": {"cases": [{"key": "a", "expression": "True"}]},
                    },
                    {
                        "id": "again",
                        "type": "retry",
                        "label": "Again",
                        "position": at(60, 460),
                        "size": {"width": 300, "height": 160},
                        "config": {"backoff": "exponential"},
                    },
                    {
                        "id": "nightly",
                        "type": "schedule",
                        "label": "Nightly",
                        "position": at(620, 0),
                        "config": {"cron": ["0 * * * *"]},
                    },
                    {"id": "done", "type": "end", "label": "Done", "position": at(480, 700)},
                ],
                "edges": [
                    {"id": "e1", "source": "start", "target": "ship"},
                    {"id": "e2", "source": "ship", "target": "check"},
                    {"id": "e3", "source": "check", "source_handle": "true", "target": "tally"},
                    {"id": "e4", "source": "check", "source_handle": "false", "target": "pick"},
                    {"id": "e5", "source": "tally", "target": "again"},
                    {"id": "e6", "source": "again", "target": "done"},
                ],
            }
        ],
    }


def by_id(page: Page, element_id: str) -> Locator:
    return page.locator(f'[id="{element_id}"]')


def in_node(node_id: str, element_id: str) -> Callable[[Page], Locator]:
    """A field of a node's properties, the node selected (a key leaking out would delete it)."""

    def open_field(page: Page) -> Locator:
        select(page, node_id)
        return by_id(page, f"node-{node_id}-{element_id}")

    return open_field


def new_dict_key(node_id: str, field_path: str) -> Callable[[Page], Locator]:
    """The name of an entry added to a node's dict field (a key/value row)."""

    def open_field(page: Page) -> Locator:
        select(page, node_id)
        rows = page.locator(f'[data-field="{field_path}"]')
        rows.get_by_role("button", name="Add entry").click()
        return rows.locator(".dict-row input.dict-key").last

    return open_field


def in_workflow(element_id: str) -> Callable[[Page], Locator]:
    """A field of the workflow's settings, shown with no node selected; an edge is selected
    instead (a key leaking out would delete it)."""

    def open_field(page: Page) -> Locator:
        select_edge(page)
        return by_id(page, f"workflow-{element_id}")

    return open_field


def new_input_field(page: Page) -> Locator:
    """The name of an input field added in the workflow's settings."""
    select_edge(page)
    rows = page.locator('[data-testid="workflow-settings"] [data-field="input"]')
    rows.get_by_role("button", name="Add entry").click()
    return rows.locator(".dict-row input.dict-key").last


def in_project(element_id: str) -> Callable[[Page], Locator]:
    """A field of the project's panel, with a node still selected on the canvas."""

    def open_field(page: Page) -> Locator:
        select(page, "ship")
        page.get_by_role("tab", name="Project").click()
        return by_id(page, f"project-{element_id}")

    return open_field


def new_activity_input(page: Page) -> Locator:
    select(page, "ship")
    page.get_by_role("tab", name="Project").click()
    rows = page.locator('[data-testid="project-panel"] [data-field="activities.1.input"]')
    rows.get_by_role("button", name="Add entry").click()
    return rows.locator(".dict-row input.dict-key").last


def palette_search(page: Page) -> Locator:
    select(page, "ship")
    return page.get_by_test_id("palette").get_by_label("Search nodes")


def find_bar(page: Page) -> Locator:
    select(page, "ship")
    page.keyboard.press("Control+f")
    return page.get_by_test_id("find-bar").get_by_label("Find a node by label")


def select_edge(page: Page) -> None:
    page.locator(".react-flow__pane").click(position={"x": 40, "y": 40})
    # on the edge's level stretch, left of its label
    edge = page.locator('.react-flow__edge[data-id="e4"] .react-flow__edge-interaction')
    box = edge.bounding_box()
    assert box is not None
    edge.click(position={"x": 24, "y": box["height"] / 2})
    expect(page.locator(".react-flow__edge.selected")).to_have_count(1)
    expect(page.get_by_test_id("workflow-settings")).to_be_visible()


@dataclass
class Text:
    """A field that takes text: what to type into it."""

    open: Callable[[Page], Locator]
    text: str


TEXT_FIELDS = {
    # the bug report: an activity's argument offered, empty, for one of its input fields
    "activity-argument-offered": Text(
        in_node("ship", "args.name"), "input.name + '-' + str(item.count)"
    ),
    "activity-argument-given": Text(in_node("ship", "args.note"), "'express ' + input.name"),
    "activity-argument-name": Text(new_dict_key("ship", "args"), "priority_flag"),
    "node-label": Text(in_node("ship", "label"), "Ship the parcel (express)"),
    "string": Text(in_node("ship", "activity"), "ship"),
    "identifier": Text(in_node("ship", "result"), "shipped_parcel"),
    "expression": Text(in_node("check", "expression"), "sent != '' and input.count > 2"),
    "duration": Text(in_node("again", "initial_interval"), "90s"),
    "optional-expression": Text(in_node("again", "until"), "attempt >= input.count * 2"),
    "integer": Text(in_node("again", "max_attempts"), "12345"),
    "number": Text(in_node("again", "multiplier"), "12.75"),
    "list-row": Text(in_node("nightly", "cron.0"), "*/5 9-17 * * 1-5"),
    "schedule-string": Text(in_node("nightly", "time_zone"), "Europe/Berlin"),
    "list-of-objects-target": Text(in_node("tally", "assignments.0.target"), "state.total"),
    "list-of-objects-value": Text(
        in_node("tally", "assignments.0.value"), "state.total + len(input.name)"
    ),
    "switch-case-key": Text(in_node("pick", "cases.0.key"), "large-orders"),
    "switch-case-expression": Text(in_node("pick", "cases.0.expression"), "input.count > 100"),
    "workflow-name": Text(in_workflow("name"), "Dispatch (typed)"),
    "input-field-name": Text(new_input_field, "customer_email"),
    "input-field-type": Text(in_workflow("input.name"), "list[str] | None"),
    "input-default-offered": Text(in_workflow("input_defaults.name"), '"Ada Lovelace"'),
    "state-name": Text(in_workflow("state.0.name"), "grand_total"),
    "state-type": Text(in_workflow("state.0.type"), "dict[str, int]"),
    "state-default": Text(in_workflow("state.0.default"), '{"a": [1, 2]}'),
    "id-template": Text(in_workflow("settings.id_template"), "dispatch-{input.name}"),
    "project-name": Text(in_project("name"), "Dispatch and delivery"),
    "project-task-queue": Text(in_project("task_queue"), "dispatch-eu"),
    "project-type-field": Text(in_project("types.Parcel.fields.weight"), "float | None"),
    "project-activity-input-name": Text(new_activity_input, "recipient_name"),
    "project-activity-url": Text(
        in_project("activities.1.implementation.url"), "https://example.test/{text}"
    ),
    "palette-search": Text(palette_search, "activity"),
    "find-bar": Text(find_bar, "Ship"),
}


def value_of(element: ElementHandle) -> str:
    value: str = element.evaluate("el => el.value")
    return value


def has_focus(element: ElementHandle) -> bool:
    focused: bool = element.evaluate("el => el.isConnected && el === document.activeElement")
    return focused


def canvas_counts(page: Page) -> tuple[int, int]:
    return nodes(page).count(), page.locator(".react-flow__edge").count()


@pytest.mark.parametrize("case", TEXT_FIELDS.values(), ids=TEXT_FIELDS.keys())
def test_typing_text(page: Page, server: str, api: Api, project_id: str, case: Text) -> None:
    """A field keeps its focus and every key typed into it: Backspace and Delete edit its
    text and never delete a node or an edge, Ctrl+A selects its text, not every node."""
    api.import_project(typing_project(project_id))
    open_editor(page, server, project_id, "dispatch")
    expect(nodes(page)).to_have_count(8)
    expect(page.locator(".react-flow__edge")).to_have_count(6)
    target = case.open(page)
    expect(target).to_be_visible()
    target.click()
    selected = page.locator(".react-flow__node.selected").count()
    # Ctrl+A selects the field's text, not every node; what is typed then replaces it
    page.keyboard.press("Control+a")
    expect(page.locator(".react-flow__node.selected")).to_have_count(selected)
    element = target.element_handle()
    assert element is not None
    page.keyboard.type(case.text, delay=15)
    save_artifact(page, f"typing-{target.evaluate('el => el.id') or 'field'}.png")
    assert has_focus(element), "the field lost focus while typing"
    assert value_of(element) == case.text
    # Backspace and Delete edit the text: no node or edge goes
    for _ in range(3):
        page.keyboard.press("Backspace")
    page.keyboard.press("Delete")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Delete")
    shortened = case.text[:-3]
    caret = max(0, len(shortened) - 2)
    assert value_of(element) == shortened[:caret] + shortened[caret + 1 :]
    assert has_focus(element)
    assert canvas_counts(page) == (8, 6)
    expect(page.get_by_test_id("toast")).to_have_count(0)


@dataclass
class Choice:
    """A select: the letters typed pick an option, Backspace and Delete change nothing."""

    open: Callable[[Page], Locator]
    letters: str
    picked: str


CHOICE_FIELDS = {
    "select": Choice(in_node("again", "backoff"), "fib", "fibonacci"),
    "schedule-select": Choice(in_node("nightly", "overlap"), "buffer_a", "buffer_all"),
    "project-implementation-kind": Choice(in_project("activities.0.implementation"), "sh", "shell"),
    "project-http-method": Choice(in_project("activities.1.implementation.method"), "pu", "PUT"),
}


@pytest.mark.parametrize("case", CHOICE_FIELDS.values(), ids=CHOICE_FIELDS.keys())
def test_typing_choice(page: Page, server: str, api: Api, project_id: str, case: Choice) -> None:
    """A select keeps its focus: the letters typed pick an option, Backspace and Delete
    delete nothing."""
    api.import_project(typing_project(project_id))
    open_editor(page, server, project_id, "dispatch")
    expect(nodes(page)).to_have_count(8)
    target = case.open(page)
    target.focus()
    element = target.element_handle()
    assert element is not None
    page.keyboard.type(case.letters, delay=15)
    assert value_of(element) == case.picked
    for key in ["Backspace", "Delete", "Backspace"]:
        page.keyboard.press(key)
    assert value_of(element) == case.picked
    assert has_focus(element)
    assert canvas_counts(page) == (8, 6)


def test_typing_then_delete_outside(page: Page, server: str, api: Api, project_id: str) -> None:
    """The keys a field keeps are the canvas's again once the field is left."""
    api.import_project(typing_project(project_id))
    open_editor(page, server, project_id, "dispatch")
    select(page, "check")
    by_id(page, "node-check-expression").click()
    page.keyboard.type("sent", delay=15)
    page.keyboard.press("Backspace")
    expect(node(page, "check")).to_have_count(1)
    page.locator(".react-flow__pane").click(position={"x": 40, "y": 40})
    select(page, "check")
    page.keyboard.press("Backspace")
    expect(node(page, "check")).to_have_count(0)


def test_typing_a_name_another_entry_has(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    """Renaming an entry through another entry's name, letter by letter, merges nothing: the
    other entry keeps its value and the renamed one its own."""
    api.import_project(typing_project(project_id))
    open_editor(page, server, project_id, "dispatch")
    select(page, "ship")
    rows = page.locator('[data-field="args"]')
    rows.get_by_role("button", name="Add entry").click()
    by_id(page, "node-ship-args.field").fill("'second'")
    key = rows.locator(".dict-row input.dict-key").last
    expect(key).to_have_value("field")
    key.click()
    page.keyboard.press("Control+a")
    element = key.element_handle()
    assert element is not None
    page.keyboard.type("note", delay=15)
    # `note` is taken: the name is shown as typed, marked, and not written
    assert value_of(element) == "note"
    expect(by_id(page, "node-ship-args.note")).to_have_value("'fast'")
    expect(key).to_have_attribute("aria-invalid", "true")
    page.keyboard.type("_2", delay=15)
    assert has_focus(element)
    expect(key).not_to_have_attribute("aria-invalid", "true")
    expect(by_id(page, "node-ship-args.note")).to_have_value("'fast'")
    expect(by_id(page, "node-ship-args.note_2")).to_have_value("'second'")
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    saved = api.workflow(project_id, "dispatch")["document"]
    [ship] = [n for n in saved["nodes"] if n["id"] == "ship"]
    assert ship["config"]["args"] == {"note": "'fast'", "note_2": "'second'"}


def test_typing_into_a_checkbox(page: Page, server: str, api: Api, project_id: str) -> None:
    """Space ticks a checkbox; Backspace and Delete on it delete no node."""
    api.import_project(typing_project(project_id))
    open_editor(page, server, project_id, "dispatch")
    select(page, "nightly")
    paused = by_id(page, "node-nightly-paused")
    paused.focus()
    for key in ["Backspace", "Delete", "Space"]:
        page.keyboard.press(key)
    expect(paused).to_be_checked()
    expect(paused).to_be_focused()
    assert canvas_counts(page) == (8, 6)

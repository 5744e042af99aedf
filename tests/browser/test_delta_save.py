"""Saving by delta: an edit to a large sample workflow sends the JSON Patch of what changed, not
the whole document, and a conflicting save is still caught."""

from __future__ import annotations

import copy
import json
from typing import Any

from playwright.sync_api import Page, Request, expect

from samples import load
from tests.browser.conftest import Api
from tests.browser.editor import center, field, node, open_editor

WORKFLOW = "package-build"
SMALL = 2048
"""Bytes: a delta of a move or a renamed label; the whole workflow is some 17 KB."""


class Saves(list[dict[str, Any]]):
    """The saves of the workflow the page sent: method, revision, and body."""

    def __init__(self, page: Page, project_id: str) -> None:
        super().__init__()
        path = f"/api/projects/{project_id}/workflows/{WORKFLOW}"

        def seen(request: Request) -> None:
            if request.method in ("PUT", "PATCH") and request.url.endswith(path):
                body = request.post_data or ""
                self.append({"method": request.method, "size": len(body), **json.loads(body)})

        page.on("request", seen)


def find(page: Page, node_id: str) -> None:
    """Brings a node into view and selects it, through the find bar."""
    page.keyboard.press("Control+f")
    page.get_by_label("Find a node by label").fill(node_id)
    page.get_by_label("Find a node by label").press("Enter")
    # hovering waits until the node stops moving with the view
    node(page, node_id).locator(".node-label").first.hover()


def rename(page: Page, node_id: str, label: str) -> None:
    find(page, node_id)
    field(page, node_id, "label").fill(label)


def save(page: Page, revision: int) -> None:
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text(f"revision {revision}")


def node_of(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(n for n in document["nodes"] if n["id"] == node_id)
    return found


def test_saves_send_only_the_change(page: Page, server: str, api: Api, project_id: str) -> None:
    project = load("package-management")
    project["id"] = project_id
    api.import_project(project)
    before = api.workflow(project_id, WORKFLOW)
    assert before["revision"] == 1
    assert len(json.dumps(before["document"])) > 8 * SMALL
    saves = Saves(page, project_id)
    open_editor(page, server, project_id, WORKFLOW)

    # move "Note Remaining Work" to the right, into the empty space beside it
    find(page, "note_state")
    x, y = center(node(page, "note_state").locator(".node-label").first)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 200, y, steps=10)
    page.mouse.up()
    save(page, 2)
    rename(page, "note_state", "Note what remains")
    save(page, 3)

    assert [(s["method"], s["revision"]) for s in saves] == [("PATCH", 1), ("PATCH", 2)]
    for sent in saves:
        assert sent["size"] < SMALL, sent
        assert 1 <= len(sent["patch"]) <= 4, sent
    after = api.workflow(project_id, WORKFLOW)
    assert after["revision"] == 3
    moved = node_of(after["document"], "note_state")
    assert moved["label"] == "Note what remains"
    assert moved["position"]["x"] >= 520 + 100, moved
    assert abs(moved["position"]["y"] - 720) <= 8, moved
    # and nothing else changed
    expected = copy.deepcopy(before["document"])
    node_of(expected, "note_state").update(label=moved["label"], position=moved["position"])
    assert after["document"] == expected

    # someone saves through the API in between, renaming the same node: the next delta is
    # refused as a conflict, and the two cannot merge
    theirs = copy.deepcopy(after["document"])
    node_of(theirs, "note_state")["label"] = "Note what is there"
    answer = api.client.put(
        f"/projects/{project_id}/workflows/{WORKFLOW}", json={"revision": 3, "document": theirs}
    )
    assert answer.status_code == 200, answer.text
    rename(page, "note_state", "Note the rest")
    page.keyboard.press("Control+s")
    dialog = page.get_by_test_id("conflict-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("their-version")).to_contain_text("Note what is there")
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    assert (saves[-1]["method"], saves[-1]["revision"]) == ("PATCH", 3)
    assert api.workflow(project_id, WORKFLOW)["revision"] == 4

    # overwriting theirs sends the whole document over their revision
    dialog.get_by_role("button", name="Overwrite with mine").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("saved")).to_contain_text("revision 5")
    assert (saves[-1]["method"], saves[-1]["revision"]) == ("PUT", 4)
    assert node_of(saves[-1]["document"], "note_state")["label"] == "Note the rest"

    # and the next edit is a delta again, against what the server answered
    rename(page, "audit_state", "Audit")
    save(page, 6)
    assert (saves[-1]["method"], saves[-1]["revision"]) == ("PATCH", 5)
    assert saves[-1]["size"] < SMALL
    # mine, with their label overwritten, and nothing else changed
    expected = copy.deepcopy(after["document"])
    node_of(expected, "note_state")["label"] = "Note the rest"
    node_of(expected, "audit_state")["label"] = "Audit"
    assert api.workflow(project_id, WORKFLOW)["document"] == expected

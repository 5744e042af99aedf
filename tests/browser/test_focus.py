"""Focusing on a container: the canvas shows what it holds alone, under a banner that leads back
out; editing there is editing the workflow, while the focus itself is never saved. Containers
holding the same shape of sub-flow carry a badge that names the others."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Api, shop_project
from tests.browser.editor import box_inside, field, node, nodes, open_editor, select, still

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
BUILDER = "package-builder"
ORCHESTRATOR = "feature-development-orchestrator"


def sample(name: str, project_id: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    document["id"] = project_id
    return document


def banner(page: Page) -> Locator:
    return page.get_by_test_id("opened-banner")


def test_focus_on_a_phase_edit_inside_and_come_back(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    document = sample("package-management", project_id)
    api.import_project(document)
    workflow = next(w for w in document["workflows"] if w["id"] == BUILDER)
    inside = sorted(n["id"] for n in workflow["nodes"] if n.get("parent_id") == "build")
    assert inside == ["record_builds", "spawn_builds"]
    revision = api.workflow(project_id, BUILDER)["revision"]

    open_editor(page, server, project_id, BUILDER)
    expect(nodes(page)).to_have_count(len(workflow["nodes"]))
    expect(banner(page)).to_have_count(0)

    # the Focus button in the phase's header: the phase alone, fitted to the canvas
    node(page, "build").get_by_role("button", name="Focus on BUILD").click()
    expect(banner(page)).to_be_visible()
    expect(banner(page)).to_contain_text("Workflow")
    expect(page.get_by_test_id("opened-current")).to_have_text("BUILD")
    expect(nodes(page)).to_have_count(1 + len(inside))
    for other in ["start", "plan", "verify_plans", "end"]:
        expect(node(page, other)).to_have_count(0)
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    pane = page.locator(".react-flow__pane")
    page.wait_for_timeout(400)  # the fit's animation
    assert box_inside(node(page, "build"), pane)
    build_box = node(page, "build").bounding_box()
    pane_box = pane.bounding_box()
    assert build_box and pane_box and build_box["width"] > pane_box["width"] * 0.3, (
        build_box,
        pane_box,
    )
    # a view, not an edit: nothing to save
    expect(page.get_by_test_id("saved")).to_be_visible()
    page.screenshot(path="/tmp/focus-mode.png")

    # select-all takes only what the phase holds
    select(page, "spawn_builds")
    page.keyboard.press("Control+a")
    expect(page.locator(".react-flow__node.selected")).to_have_count(len(inside))

    # editing inside works as anywhere: a field, undo, redo, save
    pane.click(position={"x": 40, "y": 300})
    expect(page.locator(".react-flow__node.selected")).to_have_count(0)
    select(page, "spawn_builds")
    label = field(page, "spawn_builds", "label")
    label.fill("Build every package")
    expect(node(page, "spawn_builds")).to_contain_text("Build every package")
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    node(page, "record_builds").locator(".node-label").click()
    page.keyboard.press("Control+z")
    expect(node(page, "spawn_builds")).to_contain_text("Concurrent Package Builds")
    page.keyboard.press("Control+Shift+z")
    expect(node(page, "spawn_builds")).to_contain_text("Build every package")
    expect(banner(page)).to_be_visible()
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text(f"revision {revision + 1}")
    saved = api.workflow(project_id, BUILDER)["document"]
    assert (
        next(n for n in saved["nodes"] if n["id"] == "spawn_builds")["label"]
        == "Build every package"
    )
    # the focus is no part of the document
    assert not saved.get("ui"), saved.get("ui")

    # Escape: the whole workflow again
    page.keyboard.press("Escape")
    expect(banner(page)).to_have_count(0)
    expect(nodes(page)).to_have_count(len(workflow["nodes"]))
    expect(node(page, "plan")).to_be_visible()
    expect(page.get_by_test_id("saved")).to_be_visible()

    # the shortcuts panel lists the keys
    page.keyboard.press("?")
    expect(page.get_by_test_id("shortcuts-dialog")).to_contain_text(
        "Focus on the selected container"
    )
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("shortcuts-dialog")).to_have_count(0)


def test_nested_focus_by_keyboard_and_double_click(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    document = sample("feature-pipeline", project_id)
    api.import_project(document)
    workflow = next(w for w in document["workflows"] if w["id"] == ORCHESTRATOR)
    in_production = [n["id"] for n in workflow["nodes"] if n.get("parent_id") == "production"]
    in_send = [n["id"] for n in workflow["nodes"] if n.get("parent_id") == "stop_send"]
    assert in_send

    open_editor(page, server, project_id, ORCHESTRATOR)
    page.keyboard.press("Control+f")
    page.get_by_label("Find a node by label").fill("ProductionDeployment")
    page.get_by_label("Find a node by label").press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("find-bar")).to_have_count(0)
    expect(node(page, "production")).to_have_class(re.compile(r"\bselected\b"))
    # Enter on the selected phase focuses on it
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("opened-current")).to_have_text("ProductionDeployment")
    expect(nodes(page)).to_have_count(1 + len(in_production) + len(in_send))
    expect(node(page, "intake")).to_have_count(0)

    # a double-click on the header of a container inside focuses on that one
    node(page, "stop_send").locator(".container-header .node-label").dblclick()
    expect(page.get_by_test_id("opened-current")).to_have_text("Tell the deployment")
    expect(banner(page)).to_contain_text(
        re.compile(r"Workflow.*ProductionDeployment.*Tell the deployment")
    )
    expect(nodes(page)).to_have_count(1 + len(in_send))

    # Escape goes back up one level, the workflow crumb all the way
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("opened-current")).to_have_text("ProductionDeployment")
    expect(node(page, "stop_send")).to_be_visible()
    page.get_by_test_id("opened-workflow").click()
    expect(banner(page)).to_have_count(0)
    expect(nodes(page)).to_have_count(len(workflow["nodes"]))
    expect(page.get_by_test_id("saved")).to_be_visible()


def phase(node_id: str, label: str, x: float, steps: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """A phase at (x, 0) holding a chain of activities, one (id, activity) each."""
    placed: list[dict[str, Any]] = [
        {
            "id": node_id,
            "type": "phase",
            "label": label,
            "position": {"x": x, "y": 0},
            "size": {"width": 300, "height": 320},
        }
    ]
    for index, (step_id, activity) in enumerate(steps):
        placed.append(
            {
                "id": step_id,
                "type": "activity",
                "label": f"{label} {activity}",
                "parent_id": node_id,
                "position": {"x": 40, "y": 60 + index * 110},
                "config": {
                    "activity": activity,
                    "args": {"text": "'x'"} if activity == "notify" else {"amount": "1"},
                },
            }
        )
    return placed


def test_repeated_phases_carry_a_badge(page: Page, server: str, api: Api, project_id: str) -> None:
    workflow = {
        "id": "repeats",
        "name": "Repeats",
        "input": {"amount": "int"},
        "nodes": [
            {"id": "start", "type": "start", "label": "Start", "position": {"x": 440, "y": -140}},
            *phase("first", "First", 0, [("f1", "notify"), ("f2", "charge")]),
            *phase("second", "Second", 400, [("s1", "notify"), ("s2", "charge")]),
            *phase("third", "Third", 800, [("t1", "charge"), ("t2", "notify")]),
        ],
        "edges": [
            {"id": "e0", "source": "start", "target": "first"},
            {"id": "ef", "source": "f1", "target": "f2"},
            {"id": "es", "source": "s1", "target": "s2"},
            {"id": "et", "source": "t1", "target": "t2"},
            {"id": "e1", "source": "first", "target": "second"},
            {"id": "e2", "source": "second", "target": "third"},
        ],
    }
    api.import_project(shop_project(project_id, [workflow]))
    open_editor(page, server, project_id, "repeats")
    first = node(page, "first").get_by_test_id("repeat-badge")
    expect(first).to_have_text(re.compile(r"×2"))
    expect(node(page, "second").get_by_test_id("repeat-badge")).to_have_count(1)
    expect(node(page, "third").get_by_test_id("repeat-badge")).to_have_count(0)

    # hovering the badge names the others and highlights them
    first.hover()
    expect(first.get_by_test_id("repeat-tooltip")).to_be_visible()
    expect(first.get_by_test_id("repeat-tooltip")).to_have_text("Same steps as 1 other: Second")
    expect(node(page, "second").locator(".wf-node.container")).to_have_class(
        re.compile(r"repeat-highlight")
    )
    expect(node(page, "third").locator(".wf-node.container")).not_to_have_class(
        re.compile(r"repeat-highlight")
    )
    page.screenshot(path="/tmp/focus-repeat-badge.png")
    page.mouse.move(5, 5)
    expect(node(page, "second").locator(".wf-node.container")).not_to_have_class(
        re.compile(r"repeat-highlight")
    )

    # another activity in the second phase: no longer a repeat
    select(page, "s2")
    field(page, "s2", "activity").fill("notify")
    expect(node(page, "first").get_by_test_id("repeat-badge")).to_have_count(0)


def test_undoing_the_delete_of_the_focused_container_focuses_it_again(
    page: Page, server: str, api: Api, project_id: str
) -> None:
    document = sample("package-management", project_id)
    api.import_project(document)
    workflow = next(w for w in document["workflows"] if w["id"] == BUILDER)
    open_editor(page, server, project_id, BUILDER)
    node(page, "build").get_by_role("button", name="Focus on BUILD").click()
    expect(page.get_by_test_id("opened-current")).to_have_text("BUILD")
    still(page)

    # the container focused on, deleted: the whole workflow is shown, without it
    select(page, "build")
    page.keyboard.press("Delete")
    expect(node(page, "build")).to_have_count(0)
    expect(banner(page)).to_have_count(0)
    expect(node(page, "start")).to_be_visible()

    # undone: it is back, and focused on again, as it was
    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("opened-current")).to_have_text("BUILD")
    expect(node(page, "build")).to_be_visible()
    expect(node(page, "spawn_builds")).to_be_visible()
    expect(node(page, "start")).to_have_count(0)
    expect(page.get_by_test_id("saved")).to_be_visible()

    # redone: deleted again, and the whole workflow is shown
    page.keyboard.press("Control+Shift+z")
    expect(node(page, "build")).to_have_count(0)
    expect(banner(page)).to_have_count(0)
    inside = {n["id"] for n in workflow["nodes"] if n.get("parent_id") == "build"}
    expect(nodes(page)).to_have_count(len(workflow["nodes"]) - 1 - len(inside))

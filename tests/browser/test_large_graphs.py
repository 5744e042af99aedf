"""A large workflow opens readable on its entry, its containers collapse into one node that
counts what they hold (saved with the document, so they stay so in another browser), and long
labels show whole on hover."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Api, save_artifact
from tests.browser.editor import node, open_editor, select

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "feature-pipeline.json"
ORCHESTRATOR = "feature-development-orchestrator"
READABLE_ZOOM = 0.6


def feature_pipeline(project_id: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAMPLE.read_text())
    document["id"] = project_id
    return document


def zoom(page: Page) -> float:
    transform = page.locator(".react-flow__viewport").evaluate("(el) => el.style.transform")
    found = re.search(r"scale\(([\d.]+)\)", transform)
    assert found, transform
    return float(found.group(1))


def inside_canvas(page: Page, node_id: str) -> bool:
    pane = page.locator(".react-flow__pane").bounding_box()
    box = node(page, node_id).bounding_box()
    assert pane and box
    return (
        box["x"] >= pane["x"]
        and box["y"] >= pane["y"]
        and box["x"] + box["width"] <= pane["x"] + pane["width"]
        and box["y"] + box["height"] <= pane["y"] + pane["height"]
    )


def test_feature_pipeline_opens_readable_and_phases_collapse(
    page: Page, browser: Browser, server: str, api: Api, project_id: str
) -> None:
    document = feature_pipeline(project_id)
    api.import_project(document)
    workflow = next(w for w in document["workflows"] if w["id"] == ORCHESTRATOR)
    assert len(workflow["nodes"]) > 100
    intake = [n["id"] for n in workflow["nodes"] if n.get("parent_id") == "intake"]
    assert intake

    open_editor(page, server, project_id, ORCHESTRATOR)
    expect(node(page, "start")).to_be_visible()
    # the whole graph fitted would be a strip at a zoom of ~0.1; it opens on Start, readable
    assert zoom(page) >= READABLE_ZOOM
    assert inside_canvas(page, "start")
    expect(page.locator(".react-flow__minimap")).to_be_visible()
    save_artifact(page, "large-graphs-opening.png")

    # the chevron folds a phase into one node counting its steps; the edges reach it
    revision = api.workflow(project_id, ORCHESTRATOR)["revision"]
    phase = node(page, "intake")
    phase.get_by_role("button", name="Collapse RequirementIntake").click()
    for child in intake:
        expect(node(page, child)).to_have_count(0)
    expect(phase.get_by_test_id("collapsed-count")).to_have_text(
        re.compile(rf"^{len(intake)} steps inside")
    )
    phase_box = phase.bounding_box()
    assert phase_box and phase_box["height"] < 100, phase_box
    for edge in ["announce-out-intake", "intake-out-intake_ok"]:
        expect(page.locator(f'.react-flow__edge[data-id="{edge}"]')).to_have_count(1)
    save_artifact(page, "large-graphs-collapsed.png")

    # collapsing is saved with the document, like any edit
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text(f"revision {revision + 1}")
    saved = api.workflow(project_id, ORCHESTRATOR)
    assert saved["revision"] == revision + 1
    assert saved["document"]["ui"] == {"collapsed": ["intake"]}
    # a fresh browser, with none of this one's storage, opens it collapsed
    fresh = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        other = fresh.new_page()
        open_editor(other, server, project_id, ORCHESTRATOR)
        expect(node(other, "intake").get_by_test_id("collapsed-count")).to_be_visible()
        for child in intake:
            expect(node(other, child)).to_have_count(0)
    finally:
        fresh.close()
    page.reload()
    expect(node(page, "intake").get_by_test_id("collapsed-count")).to_be_visible()

    # the keyboard unfolds the selected container
    select(page, "intake")
    page.keyboard.press("+")
    for child in intake:
        expect(node(page, child)).to_have_count(1)
    expect(node(page, "intake").get_by_test_id("collapsed-count")).to_have_count(0)
    page.keyboard.press("-")
    expect(node(page, "intake").get_by_test_id("collapsed-count")).to_be_visible()
    node(page, "intake").get_by_role("button", name="Expand RequirementIntake").click()
    expect(node(page, intake[0])).to_be_visible()

    # a long label is cut to the node's width and shown whole on hover
    longest = max(workflow["nodes"], key=lambda n: len(n["label"]))
    label = node(page, longest["id"]).locator(".node-label")
    page.keyboard.press("Control+f")
    page.get_by_label("Find a node by label").fill(longest["label"])
    page.get_by_label("Find a node by label").press("Enter")
    expect(label).to_have_attribute("title", longest["label"])
    page.keyboard.press("Escape")


@pytest.mark.parametrize(
    "sample_name", sorted(p.stem for p in SAMPLE.parent.glob("*.json")), ids=lambda name: name
)
def test_samples_open_readable_on_their_entry(
    page: Page, server: str, api: Api, project_id: str, sample_name: str
) -> None:
    document: dict[str, Any] = json.loads((SAMPLE.parent / f"{sample_name}.json").read_text())
    document["id"] = project_id
    api.import_project(document)
    for workflow in document["workflows"]:
        targets = {edge["target"] for edge in workflow["edges"]}
        entry = next(
            (n for n in workflow["nodes"] if n["type"] == "start"),
            next(n for n in workflow["nodes"] if not n.get("parent_id") and n["id"] not in targets),
        )
        open_editor(page, server, project_id, workflow["id"])
        expect(node(page, entry["id"])).to_be_visible()
        page.wait_for_timeout(300)  # the opening view's short animation
        assert zoom(page) >= READABLE_ZOOM, (workflow["id"], zoom(page))
        assert inside_canvas(page, entry["id"]), workflow["id"]
        save_artifact(page, f"sample-{sample_name}-{workflow['id']}.png")

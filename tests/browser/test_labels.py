"""A long label made of one identifier (`createFeatureBranchAndOpenPullRequest`,
`run_integration_tests_and_publish`) wraps where a word piece ends, never inside one; the label
stays whole for hover, for screen readers and for copying."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, shop_project
from tests.browser.editor import node, open_editor

LINES = """(label) => {
    // each character's line, read from where it is drawn; the lines' texts in order
    const lines = [];
    let top = null;
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        for (let at = 0; at < text.data.length; at += 1) {
            const range = document.createRange();
            range.setStart(text, at);
            range.setEnd(text, at + 1);
            const rect = range.getClientRects()[0];
            if (!rect) continue;
            if (top === null || rect.top > top + rect.height / 2) {
                lines.push("");
                top = rect.top;
            }
            lines[lines.length - 1] += text.data[at];
        }
    }
    return lines;
}"""

CASES = {
    "createFeatureBranchAndOpenPullRequest": [
        "create", "Feature", "Branch", "And", "Open", "Pull", "Request"
    ],
    "run_integration_tests_and_publish": ["run_", "integration_", "tests_", "and_", "publish"],
}  # fmt: skip


def _workflow(label: str) -> dict[str, Any]:
    return {
        "id": "orders",
        "name": "Orders",
        "nodes": [
            {"id": "start", "type": "start", "label": "Start", "position": {"x": 300, "y": 0}},
            {
                "id": "step",
                "type": "activity",
                "label": label,
                "position": {"x": 300, "y": 160},
                "config": {"activity": "notify", "args": {"text": "'hi'"}},
            },
        ],
        "edges": [{"id": "e1", "source": "start", "target": "step"}],
    }


@pytest.mark.parametrize("label", list(CASES))
def test_long_labels_wrap_between_word_pieces(
    page: Page, server: str, api: Api, project_id: str, label: str
) -> None:
    api.import_project(shop_project(project_id, [_workflow(label)]))
    open_editor(page, server, project_id, "orders")
    shown = node(page, "step").locator(".node-label")
    expect(shown).to_be_visible()

    lines: list[str] = shown.evaluate(LINES)
    assert len(lines) >= 2, f"{label!r} was expected to wrap in a node, drawn as {lines}"
    assert "".join(lines) == label
    # every line ends where a piece ends: the places a line may break
    ends = {sum(len(piece) for piece in CASES[label][: i + 1]) for i in range(len(CASES[label]))}
    drawn = 0
    for line in lines:
        drawn += len(line)
        assert drawn in ends, f"{label!r} broke inside a word piece: {lines}"

    # whole for hover, for a screen reader and for copying: no character was added
    expect(shown).to_have_attribute("title", label)
    assert shown.evaluate("(label) => label.textContent") == label
    assert shown.inner_text().replace("\n", "") == label
    expect(node(page, "step").get_by_text(label, exact=True)).to_be_visible()

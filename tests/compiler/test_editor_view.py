"""The workflow's `ui` section (the containers the editor shows collapsed) is the editor's view:
the document keeps it, and nothing the compiler makes of the document depends on it."""

from __future__ import annotations

import json
from typing import Any

from compiler import compile_project
from compiler.pipeline import check_document
from language.diagnostics import Codes
from language.document import Project, compact
from tests.compiler.update_golden import GOLDEN

SAGA = GOLDEN / "trip_saga" / "project.json"
"""A golden case whose workflow holds a container (`trip`, a try)."""


def _saga() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAGA.read_text(encoding="utf-8"))
    return document


def _collapsed(document: dict[str, Any], *ids: str) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(document))
    changed["workflows"][0]["ui"] = {"collapsed": list(ids)}
    return changed


def test_a_collapsed_container_changes_no_generated_file() -> None:
    plain = compile_project(_saga())
    viewed = compile_project(_collapsed(_saga(), "trip"))

    assert plain.ok and viewed.ok, [d.format() for d in viewed.diagnostics]
    assert viewed.diagnostics == plain.diagnostics
    assert viewed.files == plain.files
    assert viewed.root_files == plain.root_files
    assert viewed.sourcemap == plain.sourcemap


def test_collapsing_a_container_is_no_change_to_guard_for_running_executions() -> None:
    """Compiled against the version before the collapse, the package is the one compiled
    against itself: no patch, no renamed node, no other patch id."""
    old = _saga()
    against_itself = compile_project(old, compatible_with=old)
    collapsed = compile_project(_collapsed(old, "trip"), compatible_with=old)

    assert against_itself.ok and collapsed.ok
    assert collapsed.files == against_itself.files


def test_the_document_keeps_the_view_and_writes_nothing_for_an_empty_one() -> None:
    viewed = Project.model_validate(_collapsed(_saga(), "trip"))
    plain = Project.model_validate(_saga())

    assert viewed.workflows[0].ui.collapsed == ["trip"]
    assert json.loads(viewed.model_dump_json())["workflows"][0]["ui"] == {"collapsed": ["trip"]}
    assert "ui" not in json.loads(plain.model_dump_json())["workflows"][0]
    assert "ui" not in compact(plain)["workflows"][0]
    emptied = Project.model_validate(_collapsed(_saga()))
    assert emptied.model_dump_json() == plain.model_dump_json()


def test_a_collapsed_container_is_no_problem_and_a_collapsed_step_a_warning() -> None:
    assert check_document(_collapsed(_saga(), "trip")).diagnostics == []

    found = check_document(_collapsed(_saga(), "trip", "car", "ghost")).diagnostics
    assert check_document(_collapsed(_saga(), "car")).ok
    assert {(d.code, d.node_id, d.field) for d in found} == {
        (Codes.NOT_COLLAPSIBLE, "car", None),
        (Codes.NOT_COLLAPSIBLE, None, "ui.collapsed"),
    }
    messages = {d.node_id: d.message for d in found}
    assert "'car'" in messages["car"] and "'ghost'" in messages[None]

"""An activity without output and an update returning nothing leave the field out of the
document (the editor's "nothing" is no text, never `None`); documents written before, which say
`"output": "None"` and `"returns": "None"`, still read as nothing and compile to the same package,
with the same patch ids, and a version that only says it the other way is no change."""

from __future__ import annotations

import json
from typing import Any

import pytest

from compiler import compile_project
from language.document import ActivityDef, Project, compact
from tests.compiler.update_golden import GOLDEN

CHOICES = GOLDEN / "changed_choices"
"""Compiled against a deployed version; its three activities return nothing, written `"None"`."""

HANDLERS = GOLDEN / "safe_message_handlers"
"""Its update `delete` returns nothing, its field left out."""


def _read(case: str, name: str = "project.json") -> dict[str, Any]:
    document: dict[str, Any] = json.loads((GOLDEN / case / name).read_text(encoding="utf-8"))
    return document


def _activities_without_none(document: dict[str, Any]) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(document))
    for activity in changed["activities"]:
        if activity.get("output") == "None":
            del activity["output"]
    return changed


def _update_returning_none(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(document))
    for workflow in changed["workflows"]:
        for node in workflow["nodes"]:
            if node["id"] == node_id:
                assert "returns" not in node["config"]
                node["config"]["returns"] = "None"
    return changed


def test_the_golden_cases_say_it_as_expected() -> None:
    assert [a["output"] for a in _read("changed_choices")["activities"]] == ["None"] * 3
    delete = [n for w in _read("safe_message_handlers")["workflows"] for n in w["nodes"]]
    assert next(n["config"] for n in delete if n["id"] == "delete").get("returns") is None


@pytest.mark.parametrize("new_style", ["project", "deployed", "both"])
def test_an_activity_output_left_out_compiles_the_package_none_did(new_style: str) -> None:
    project, deployed = _read("changed_choices"), _read("changed_choices", "deployed.json")
    written_before = compile_project(project, compatible_with=deployed)
    if new_style in ("project", "both"):
        project = _activities_without_none(project)
    if new_style in ("deployed", "both"):
        deployed = _activities_without_none(deployed)
    written_now = compile_project(project, compatible_with=deployed)

    assert written_before.ok and written_now.ok, [d.format() for d in written_now.diagnostics]
    assert written_now.files == written_before.files
    assert written_now.root_files == written_before.root_files


def test_an_activity_output_of_none_reads_as_none_and_is_written_left_out() -> None:
    old = Project.model_validate(_read("changed_choices"))
    new = Project.model_validate(_activities_without_none(_read("changed_choices")))

    assert old == new
    assert [a.output for a in old.activities] == [None] * 3
    assert [a.returns for a in old.activities] == ["None"] * 3
    assert all("output" not in a for a in json.loads(old.model_dump_json())["activities"])
    assert all("output" not in a for a in compact(old)["activities"])
    typed = ActivityDef.model_validate({"name": "a", "output": "list[int]"})
    assert json.loads(typed.model_dump_json())["output"] == "list[int]"


def test_an_update_returning_none_compiles_as_one_returning_nothing() -> None:
    left_out = _read("safe_message_handlers")
    written_none = _update_returning_none(left_out, "delete")

    assert compile_project(written_none).files == compile_project(left_out).files


@pytest.mark.parametrize("deployed_says_none", [True, False])
def test_saying_none_the_other_way_is_no_change_to_a_deployed_version(
    deployed_says_none: bool,
) -> None:
    """An update that said `"returns": "None"` and now leaves it out (or the other way round)
    deploys over its version as the same code, not as a change that cannot be patched."""
    left_out = _read("safe_message_handlers")
    written_none = _update_returning_none(left_out, "delete")
    deployed, project = (written_none, left_out) if deployed_says_none else (left_out, written_none)

    same = compile_project(project, compatible_with=project)
    other_way = compile_project(project, compatible_with=deployed)

    assert other_way.ok, [d.format() for d in other_way.diagnostics]
    assert other_way.files == same.files

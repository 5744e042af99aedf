"""A workflow that returns nothing leaves its output out of the document; documents written
before it could, which say `"output": "None"`, still load and compile to the same package, with
the same patch ids."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from compiler import compile_project
from language.document import Project, Workflow, compact
from tests.compiler.update_golden import GOLDEN

CASE = GOLDEN / "changed_choices"
"""A golden case compiled against a deployed version, whose workflow returns nothing (written
`"None"`, as every document did before the output could be left out)."""


def _read(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CASE / name).read_text(encoding="utf-8"))
    return document


def _without_output(document: dict[str, Any]) -> dict[str, Any]:
    changed: dict[str, Any] = json.loads(json.dumps(document))
    for workflow in changed["workflows"]:
        if workflow.get("output") == "None":
            del workflow["output"]
    return changed


def test_the_golden_case_says_none_the_old_way() -> None:
    assert [w["output"] for w in _read("project.json")["workflows"]] == ["None"]
    assert [w["output"] for w in _read("deployed.json")["workflows"]] == ["None"]


@pytest.mark.parametrize("new_style", ["project", "deployed", "both"])
def test_leaving_the_output_out_compiles_the_package_none_did(new_style: str) -> None:
    """The same files, the patch ids among them, whichever of the two versions says "None"."""
    project, deployed = _read("project.json"), _read("deployed.json")
    written_before = compile_project(project, compatible_with=deployed)
    if new_style in ("project", "both"):
        project = _without_output(project)
    if new_style in ("deployed", "both"):
        deployed = _without_output(deployed)
    written_now = compile_project(project, compatible_with=deployed)

    assert written_before.ok and written_now.ok, [d.format() for d in written_now.diagnostics]
    assert written_now.files == written_before.files
    assert written_now.root_files == written_before.root_files


def test_none_reads_as_no_output_and_no_output_is_written_as_left_out() -> None:
    old = Project.model_validate(_read("project.json"))
    new = Project.model_validate(_without_output(_read("project.json")))

    assert old == new
    assert old.workflows[0].output is None
    assert old.workflows[0].returns == "None"
    assert "output" not in json.loads(old.model_dump_json())["workflows"][0]
    assert "output" not in compact(old)["workflows"][0]
    assert Workflow.model_validate({"id": "w", "output": None}).output is None


def test_an_output_type_is_kept_and_an_empty_one_refused() -> None:
    typed = Workflow.model_validate({"id": "w", "output": "list[int]"})
    assert typed.returns == "list[int]"
    assert json.loads(typed.model_dump_json())["output"] == "list[int]"
    with pytest.raises(ValidationError):
        Workflow.model_validate({"id": "w", "output": ""})

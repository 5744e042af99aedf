"""The way each workflow's change is best deployed: a workflow that may run for ever is
patched (versioned, it would stay on the old version), a short one is versioned (deployed beside),
and one whose change no patch can guard is versioned whatever its length."""

from __future__ import annotations

import json
from pathlib import Path

from compiler.compat import recommend
from language.load import load_project
from tests.support.changes import version_one, version_two

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_a_workflow_that_continues_as_new_is_patched_and_a_short_one_versioned() -> None:
    project, _ = load_project((SAMPLES / "package-management.json").read_text())
    assert project is not None
    ways = {item.workflow_id: item for item in recommend(project, project)}
    assert ways["continuous-builder"].way == "patching"
    assert "continues as new" in ways["continuous-builder"].reason
    assert ways["package-build"].way == "versioning"
    assert "it ends" in ways["package-build"].reason


def test_a_while_loop_without_a_round_limit_counts_as_running_for_ever() -> None:
    document = version_one("way-loop")
    workflow = document["workflows"][0]
    workflow["nodes"].append(
        {"id": "again", "type": "loop", "config": {"mode": "while", "condition": "True"}}
    )
    project, _ = load_project(json.dumps(document))
    assert project is not None
    (found,) = recommend(project, project)
    assert (found.way, found.unpatchable) == ("patching", ())
    assert "no round limit" in found.reason
    workflow["nodes"][-1]["config"]["max_iterations"] = 5
    bounded, _ = load_project(json.dumps(document))
    assert bounded is not None
    assert recommend(bounded, bounded)[0].way == "versioning"


def test_a_change_no_patch_can_guard_is_versioned_even_for_a_workflow_without_end() -> None:
    old_document = version_one("way-refused")
    new_document = version_two("way-refused")
    for document in (old_document, new_document):
        document["workflows"][0]["nodes"].append(
            {"id": "again", "type": "loop", "config": {"mode": "while", "condition": "True"}}
        )
    for item in new_document["workflows"][0]["nodes"]:
        if item["id"] == "gate":
            item["config"]["approved_when"] = "not state.go"
    old, _ = load_project(json.dumps(old_document))
    new, _ = load_project(json.dumps(new_document))
    assert old is not None and new is not None
    (found,) = recommend(old, new)
    assert found.way == "versioning"
    assert "patching cannot guard this change" in found.reason
    assert [line.split(":")[0] for line in found.unpatchable] == ["node 'gate'"]

"""An activity call carries a summary exactly where its activity type does not name its node.

The compiler leaves `summary=` out of a call whose activity type no other call site of the
workflow uses, and the run views (`backend.runtime.node_states`, the managed worker's stand-ins)
map such a call back by its type through `compiler.activity_owners`, read from the document
alone. Both must agree on every call the generated code makes: the golden cases and the samples
are checked here call by call.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from compiler import compile_project
from compiler.activity_owners import activity_calls, activity_owners
from language.document import Project, Workflow
from node_types.project_info import ProjectInfo
from node_types.work_queue import AWAIT_ACTIVITY
from samples import documents
from tests.support.harness import chain, node

GOLDEN = Path(__file__).with_name("golden")
PROJECTS = {f"golden/{p.parent.name}": p for p in sorted(GOLDEN.glob("*/project.json"))}


def _documents() -> dict[str, dict[str, Any]]:
    found = {name: json.loads(path.read_text()) for name, path in PROJECTS.items()}
    found.update({f"sample/{doc['id']}": doc for doc in documents()})
    return found


DOCUMENTS = _documents()


def activity_calls_in(code: str, types_by_function: dict[str, str]) -> list[tuple[str, bool]]:
    """(activity type, has a summary) of every activity call in a workflow module."""
    found = []
    for call in ast.walk(ast.parse(code)):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        name = call.func.attr
        args = call.args
        if name == "partial" and args and isinstance(args[0], ast.Attribute):
            name, args = args[0].attr, args[1:]
        if name not in ("execute_activity", "start_activity") or not args:
            continue
        target = args[0]
        if isinstance(target, ast.Constant):
            activity = str(target.value)
        else:
            assert isinstance(target, ast.Name), ast.dump(target)
            activity = types_by_function[target.id]
        found.append((activity, any(k.arg == "summary" for k in call.keywords)))
    return found


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_call_has_a_summary_exactly_where_its_type_is_shared(name: str) -> None:
    document = DOCUMENTS[name]
    result = compile_project(document)
    assert result.ok, [d.format() for d in result.diagnostics]
    info = ProjectInfo.build(Project.model_validate(document))
    types_by_function = {a.function: a.definition.name for a in info.activities.values()}
    seen_without = 0
    for workflow in document["workflows"]:
        module = next(
            text
            for path, text in result.files.items()
            if path.startswith("workflows/") and f'@workflow.defn(name="{workflow["id"]}")' in text
        )
        parsed = Workflow.model_validate(workflow)
        owners = activity_owners(parsed)
        sites = activity_calls(parsed)
        for activity, has_summary in activity_calls_in(module, types_by_function):
            assert activity in sites, f"{workflow['id']}: a call of {activity!r} no node declares"
            if activity == AWAIT_ACTIVITY:
                assert has_summary  # backend.runtime.children finds a queue's follows by it
            else:
                assert has_summary == (activity not in owners), (workflow["id"], activity)
            seen_without += not has_summary
    if name == "golden/build_pipeline":
        assert seen_without  # the check saw both kinds of call


def test_shared_types_undo_calls_and_roles() -> None:
    step: dict[str, Any] = {
        "activity": "book",
        "args": {},
        "compensation": {"activity": "cancel", "args": {}},
    }
    workflow = {
        "id": "w",
        "nodes": [
            node("start", "start"),
            node("saga", "try"),
            node("flight", "activity", parent="saga", **step),
            node("hotel", "activity", parent="saga", **{**step, "activity": "reserve"}),
            node("pay", "activity", parent="saga", activity="charge"),
            node("again", "activity", activity="charge"),
        ],
        "edges": [*chain("start", "saga", "again"), *chain("flight", "hotel", "pay")],
    }
    parsed = Workflow.model_validate(workflow)
    assert activity_calls(parsed) == {
        "book": [("flight", "step")],
        "cancel": [("flight", "undo"), ("hotel", "undo")],
        "reserve": [("hotel", "step")],
        "charge": [("pay", "step"), ("again", "step")],
    }
    assert activity_owners(parsed) == {"book": ("flight", "step"), "reserve": ("hotel", "step")}

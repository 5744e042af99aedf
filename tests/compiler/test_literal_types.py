"""`Literal['draft', 'review', 'done']` fields: the type is checked, the generated code imports
`Literal` and passes mypy --strict, and a value assigned to such a field is held to its choices
where the project is compiled (mypy would refuse the generated code otherwise)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler import compile_project
from language.diagnostics import Codes, Diagnostic
from tests.support.harness import chain, compile_ok, node, project, write_package
from tests.support.package_check import mypy_command, run_checker

PHASE = "Literal['draft', 'review', 'done']"


def review_project(project_id: str = "choices", **changes: Any) -> dict[str, Any]:
    """`review`: takes a phase and a priority (Literal fields), keeps its stage and its history
    of stages in state, tells an activity (whose input and output are Literals), answers a
    query and takes an update and a signal whose payloads are Literals too."""
    assignments = changes.pop(
        "assignments",
        [
            {"target": "state.stage", "value": "input.phase"},
            {"target": "state.history", "value": "state.history + ['review']"},
            {"target": "state.ticket", "value": "Ticket(status='open', title='x')"},
            {"target": "latest", "value": "state.stage"},
        ],
    )
    end_value = changes.pop("end_value", "'approved' if sent == 'sent' else 'rejected'")
    notify_phase = changes.pop("notify_phase", "state.stage")
    workflow = {
        "id": "review",
        "name": "Review",
        "input": {"phase": PHASE, "priority": "Literal[1, 2, 3]"},
        "input_defaults": {"priority": 2},
        "output": "Literal['approved', 'rejected']",
        "state": [
            {"name": "stage", "type": PHASE},
            {"name": "history", "type": f"list[{PHASE}]", "default": ["draft"]},
            {"name": "ticket", "type": "Ticket | None"},
        ],
        "nodes": [
            node("start", "start"),
            node("keep", "set_state", assignments=assignments),
            node(
                "tell",
                "activity",
                activity="notify",
                args={"phase": notify_phase, "note": "'hello'"},
                result="sent",
            ),
            node("done", "end", value=end_value),
            node("stage", "query", name="stage", value="state.stage", returns=PHASE),
            node("advance", "update", name="advance", params={"to": PHASE}, returns=PHASE),
            node(
                "move", "set_state", assignments=[{"target": "state.stage", "value": "payload.to"}]
            ),
            node("moved", "end", value="payload.to"),
            node("mark", "signal", name="mark", params={"phase": f"{PHASE} | None"}),
            node(
                "marked",
                "set_state",
                assignments=[{"target": "state.stage", "value": "payload.phase or 'draft'"}],
            ),
        ],
        "edges": [
            *chain("start", "keep", "tell", "done"),
            *chain("advance", "move", "moved"),
            *chain("mark", "marked"),
        ],
    }
    workflow.update(changes)
    notify = {
        "name": "notify",
        "input": {"phase": PHASE, "note": "str"},
        "output": "Literal['sent', 'skipped']",
        "implementation": {"kind": "simulate", "result": "sent"},
    }
    types = {"Ticket": {"fields": {"status": "Literal['open', 'closed']", "title": "str"}}}
    return project(project_id, [workflow], activities=[notify], types=types)


def errors(document: dict[str, Any]) -> list[Diagnostic]:
    return [d for d in compile_project(document).diagnostics if d.severity == "error"]


def only_error(document: dict[str, Any]) -> Diagnostic:
    found = errors(document)
    assert len(found) == 1, "\n".join(d.format() for d in found)
    return found[0]


def test_the_generated_code_imports_literal_and_passes_mypy_strict(tmp_path: Path) -> None:
    result = compile_ok(review_project())
    models = result.files["models.py"]
    assert "from typing import Literal" in models
    assert 'phase: Literal["draft", "review", "done"]' in models
    # a state field of a Literal without a default starts at its first value
    assert 'stage: Literal["draft", "review", "done"] = "draft"' in models
    assert "Literal" in result.files["activities.py"].split("\n\n\n")[0]
    assert "Literal" in result.files["workflows/review.py"].split("\n\n\n")[0]
    write_package(result, tmp_path)
    run_checker(mypy_command(result.package, tmp_path / ".mypy_cache"), tmp_path)


@pytest.mark.parametrize(
    ("typeref", "words"),
    [
        ("Literal", "in brackets"),
        ("Literal[()]", "at least one value"),
        ("Literal['a', 1]", "all text or all whole numbers"),
        ("Literal['a', 'a']", "'a' appears twice"),
        ("Literal[1.5]", "'1.5' is neither"),
        ("Literal[True]", "'True' is neither"),
        ("Literal[input]", "'input' is neither"),
        ("Literal['']", "1 to 80 characters"),
        (f"Literal['{'x' * 81}']", "1 to 80 characters"),
        ("Literal['a\\nb']", "cannot be shown"),
        (f"Literal[{', '.join(map(str, range(51)))}]", "at most 50 values"),
        ("Literal[9007199254740992]", "too large"),
    ],
)
def test_a_literal_that_is_not_a_short_list_of_values_is_refused(typeref: str, words: str) -> None:
    problem = only_error(review_project(input={"phase": PHASE, "priority": "int", "x": typeref}))
    assert problem.code == Codes.BAD_TYPE
    assert problem.field == "input.x"
    assert words in problem.message


def test_a_literal_is_written_out_one_way_in_the_generated_code() -> None:
    document = review_project(
        input={"phase": "Literal[ 'draft','review' ,\"done\"]", "priority": "Literal[-1, 2, 3]"}
    )
    document["workflows"][0]["input_defaults"] = {"priority": -1}
    models = compile_ok(document).files["models.py"]
    assert 'phase: Literal["draft", "review", "done"]' in models
    assert "priority: Literal[-1, 2, 3] = -1" in models


def test_a_project_type_or_a_field_cannot_be_named_literal() -> None:
    document = review_project()
    document["types"]["Literal"] = {"fields": {"name": "str"}}
    assert any("Literal" in d.message for d in errors(document))
    document = review_project(input={"phase": PHASE, "priority": "int", "Literal": "str"})
    assert [d.field for d in errors(document)] == ["input.Literal"]


@pytest.mark.parametrize(
    "value",
    [
        "'review'",
        "input.phase",
        "state.stage",
        "'draft' if input.priority > 1 else 'done'",
        "state.history[0]",
        "min(state.history)",
        "state.stage or 'done'",
    ],
)
def test_a_value_among_the_choices_is_assigned(value: str) -> None:
    document = review_project(
        assignments=[
            {"target": "state.stage", "value": value},
            {"target": "latest", "value": "state.stage"},
        ]
    )
    compile_ok(document)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "'revew'",
            "state.stage takes one of 'draft', 'review', 'done'; 'revew' is not one of them",
        ),
        ("input.phase.upper()", "'input.phase.upper()' is a str, which may be any text"),
        ("'draft' if input.priority > 1 else 'dne'", "may be 'dne', which is not one of them"),
        ("state.ticket.title if state.ticket else 'draft'", "is a str, which may be any text"),
        ("['draft', 'done'][0]", "is a str, which may be any text"),
    ],
)
def test_a_value_outside_the_choices_is_refused_naming_them(value: str, message: str) -> None:
    document = review_project(assignments=[{"target": "state.stage", "value": value}])
    problem = only_error(document)
    assert (problem.code, problem.node_id) == (Codes.BAD_ARGUMENT, "keep")
    assert problem.field == "config.assignments.0.value"
    assert message in problem.message


def test_a_local_holding_a_constant_is_plain_text_as_mypy_sees_it() -> None:
    """`latest = 'review'` makes `latest` a str in the generated code: mypy refuses it for a
    Literal field, and so does the check; a local read from a Literal field stays one."""
    refused = review_project(
        assignments=[{"target": "latest", "value": "'review'"}], notify_phase="latest"
    )
    problem = only_error(refused)
    assert (problem.node_id, problem.field) == ("tell", "config.args.phase")
    assert "'phase' of activity 'notify' takes one of 'draft', 'review', 'done'" in problem.message
    compile_ok(review_project(assignments=[{"target": "latest", "value": "input.phase"}]))


@pytest.mark.parametrize(
    ("changes", "node_id", "field", "message"),
    [
        (
            {"notify_phase": "'later'"},
            "tell",
            "config.args.phase",
            "'phase' of activity 'notify' takes one of 'draft', 'review', 'done'; 'later' is not",
        ),
        (
            {"end_value": "'maybe'"},
            "done",
            "config.value",
            "the result takes one of 'approved', 'rejected'; 'maybe' is not one of them",
        ),
        (
            {"end_value": "sent"},
            "done",
            "config.value",
            "'sent' may be 'sent', 'skipped', which is not one of them",
        ),
        (
            {
                "assignments": [
                    {"target": "state.ticket", "value": "Ticket(status='shut', title='x')"},
                    {"target": "latest", "value": "input.phase"},
                ]
            },
            "keep",
            "config.assignments.0.value",
            "Ticket.status takes one of 'open', 'closed'; 'shut' is not one of them",
        ),
        (
            {
                "assignments": [
                    {"target": "state.history", "value": "['draft', 'dne']"},
                    {"target": "latest", "value": "input.phase"},
                ]
            },
            "keep",
            "config.assignments.0.value",
            "state.history is list[Literal['draft', 'review', 'done']], but",
        ),
    ],
)
def test_every_place_a_value_is_assigned_holds_it_to_the_choices(
    changes: dict[str, Any], node_id: str, field: str, message: str
) -> None:
    problem = only_error(review_project(**changes))
    assert (problem.code, problem.node_id, problem.field) == (Codes.BAD_ARGUMENT, node_id, field)
    assert message in problem.message


def test_a_query_answer_and_an_update_result_are_held_to_their_choices() -> None:
    document = review_project()
    nodes = document["workflows"][0]["nodes"]
    for item in nodes:
        if item["id"] == "stage":
            item["config"]["value"] = "'nowhere'"
        if item["id"] == "moved":
            item["config"]["value"] = "'elsewhere'"
    found = {(d.node_id, d.field): d.message for d in errors(document)}
    assert set(found) == {("stage", "config.value"), ("moved", "config.value")}
    assert "the answer of 'stage' takes one of" in found["stage", "config.value"]
    assert "'elsewhere' is not one of them" in found["moved", "config.value"]


def test_a_default_outside_the_choices_is_refused() -> None:
    document = review_project()
    document["workflows"][0]["input_defaults"] = {"priority": 4}
    document["workflows"][0]["state"][0]["default"] = "revew"
    found = {d.field: d.message for d in errors(document)}
    assert found == {
        "input_defaults.priority": "input field 'priority': default must be one of 1, 2, 3, not 4",
        "state.0.default": "state field 'stage': default must be one of 'draft', 'review', "
        "'done', not 'revew'",
    }


def test_a_literal_compares_and_reads_as_text() -> None:
    document = review_project(
        end_value="'approved' if input.phase == 'done' and state.stage.startswith('d') "
        "and len(f'{input.phase}-x') > input.priority else 'rejected'"
    )
    compile_ok(document)

"""Tests written into a compiled package (`wfd compile --tests`): `pytest` run beside the package
starts a local Temporal dev server and runs each workflow on it.

What a test can do is read from the graph, and only what can be decided from it is generated;
the rest is said in a comment of the test module:

- every activity whose implementation is not `simulate` is stood in for by an activity of the
  same name that returns a fixed value of its declared output type;
- each workflow runs once to completion on an example input (the README's), its approval gates
  opened by the signal or update the graph has set their condition, and its result is checked
  against the declared output type; a workflow that serves a work queue, waits longer than
  `LONGEST_WAIT` at a node, or signals a workflow whose id it computes gets no such test;
- an approval gate of the run gets one test per outcome (approved, rejected, timed out) and a
  condition on an input one test per arm, where the outcome shows in what runs after it (the
  activities only that path calls, or the error its Fail raises);
- the histories recorded under `histories/<workflow id>/` replay on the workflow's code.
"""

from __future__ import annotations

import ast
import textwrap
from typing import Any

from compiler.format import format_sources
from compiler.outcomes import (
    LONG_WAIT,
    SHORT_WAIT,
    Needs,
    Outcome,
    Planner,
    condition_outcomes,
    example_value,
    fields_code,
    gate_outcomes,
    value_code,
)
from compiler.render import ENVIRONMENT
from compiler.scopes import Analysis
from compiler.structure import Tree
from language.document import SimulateImpl
from language.names import Namespace, docstring, names_in, plain_text, snake
from language.typerefs import literal_values
from node_types import REGISTRY
from node_types.project_info import ProjectInfo, WorkflowInfo

BLOCKERS_SHOWN = 4
"""Reasons listed in a test module for the run tests it lacks."""


def result_check(annotation: str, variable: str = "result") -> str | None:
    """An expression true when `variable` is a value of the annotation, as the data converter
    builds it; None for `Any`."""
    tree = ast.parse(annotation, mode="eval").body
    if isinstance(tree, ast.BinOp):  # `T | None`
        inner = result_check(ast.unparse(tree.left), variable)
        return f"{variable} is None or {inner}" if inner else None
    if isinstance(tree, ast.Constant) or annotation == "None":
        return f"{variable} is None"
    if isinstance(tree, ast.Subscript) and isinstance(tree.value, ast.Name):
        if tree.value.id == "Literal":
            return f"{variable} in {literal_values(tree)!r}"
        return f"isinstance({variable}, {tree.value.id})"
    if isinstance(tree, ast.Name):
        if tree.id == "Any":
            return None
        if tree.id == "float":
            return f"isinstance({variable}, int | float)"
        return f"isinstance({variable}, {tree.id})"
    return None


# rendering


def render_tests(project: ProjectInfo, trees: list[tuple[Tree, Analysis]]) -> dict[str, str]:
    """Path beside the package folder -> text of the tests (formatted like the package)."""
    planner = Planner(project, trees)
    title = project.project.name or project.project.id
    stand_ins = _stand_ins(project)
    files = {
        "tests/__init__.py": ENVIRONMENT.get_template("tests/init.py.jinja").render(
            docstring=docstring(f"Tests of the {title} project, generated from its graphs.")
        ),
        "tests/conftest.py": ENVIRONMENT.get_template("tests/conftest.py.jinja").render(
            project_name=title,
            package=project.package,
            simulates=any(
                isinstance(a.definition.implementation, SimulateImpl)
                for a in project.activities.values()
            ),
        ),
        "tests/support.py": _render_support(project, stand_ins),
    }
    modules = Namespace({"conftest", "support"})
    for tree, _analysis in trees:
        info = tree.graph.info
        module = modules.claim(f"test_{info.module}")
        files[f"tests/{module}.py"] = _render_workflow_tests(project, planner, tree)
    return format_sources(files, project.package)


def _stand_ins(project: ProjectInfo) -> list[dict[str, Any]]:
    """The activities a test replaces: every one whose implementation is not `simulate`."""
    names = Namespace(
        {a.function for a in project.activities.values()} | set(project.model_classes_list())
    )
    found = []
    for activity in project.activities.values():
        implementation = activity.definition.implementation
        if isinstance(implementation, SimulateImpl):
            continue
        output = activity.output
        value = None
        if output != "None":
            example = example_value(output, snake(activity.definition.name), project.records)
            value = value_code(output, example, project.records)
        found.append(
            {
                "name": repr(activity.definition.name),
                "real": activity.function,
                "function": names.claim(f"stand_in_{activity.function}"),
                "input_class": activity.input.class_name,
                "output": output,
                "value": value,
                "docstring": docstring(
                    f"Stands in for {activity.definition.name} (implemented by "
                    f"{implementation.kind}): "
                    + (f"returns a fixed {output}." if value is not None else "does nothing.")
                ),
            }
        )
    return found


def _render_support(project: ProjectInfo, stand_ins: list[dict[str, Any]]) -> str:
    code = " ".join(f"{s['output']} {s['value']}" for s in stand_ins)
    models = sorted(
        ({s["input_class"] for s in stand_ins} | names_in(code)) & set(project.model_classes_list())
    )
    title = project.project.name or project.project.id
    return ENVIRONMENT.get_template("tests/support.py.jinja").render(
        docstring=docstring(
            f"What the tests of the {title} project share: stand-ins for the activities that "
            "reach outside, a workflow that takes the signals sent to other workflows, and "
            "helpers that run a workflow and read its history."
        ),
        package=project.package,
        stand_ins=stand_ins,
        models=models,
        uses_datetime="datetime" in names_in(code),
        uses_any="Any" in names_in(code),
        pending_gates=next(k.gate_query for k in REGISTRY.values() if k.gate_query),
    )


def _render_workflow_tests(project: ProjectInfo, planner: Planner, tree: Tree) -> str:
    info = tree.graph.info
    workflow_id = info.definition.id
    needs = planner.needs(workflow_id)
    skipped: list[str] = []
    tests: list[dict[str, Any]] = []
    approvals = {
        node_id: messages["approved"].code()
        for node_id, messages in planner.gate_openers(workflow_id).items()
        if "approved" in messages
    }
    if needs.blockers:
        reasons = list(dict.fromkeys(needs.blockers))
        skipped += [f"no run tests: {reason}" for reason in reasons[:BLOCKERS_SHOWN]]
        if len(reasons) > BLOCKERS_SHOWN:
            skipped.append(f"and {len(reasons) - BLOCKERS_SHOWN} more such reasons")
    else:
        tests.append(
            _run_test(project, info, needs, Outcome("runs_to_completion", "runs"), approvals)
        )
        outcomes = list(gate_outcomes(planner, tree, skipped))
        outcomes += condition_outcomes(planner, tree, needs, skipped)
        names = Namespace({"runs_to_completion", "replays_recorded_histories"})
        for outcome in outcomes:
            outcome.name = names.claim(snake(outcome.name, "outcome"))
            tests.append(_run_test(project, info, needs, outcome, approvals))
    code = " ".join(f"{t['input']} {t['check'] or ''} {t['answers']}" for t in tests)
    code += " ".join(approvals.values())
    used = names_in(code)
    title = info.definition.name or workflow_id
    return ENVIRONMENT.get_template("tests/test_workflow.py.jinja").render(
        docstring=docstring(
            f"Tests of the {title} workflow ({workflow_id}), generated from its graph."
        ),
        notes=[
            textwrap.wrap(plain_text(note, 600), width=94, subsequent_indent="  ")
            for note in skipped
        ],
        package=project.package,
        module=info.module,
        class_name=info.class_name,
        workflow_id=repr(workflow_id),
        workflow_slug=workflow_id,
        models=sorted(used & set(project.model_classes_list())),
        uses_datetime="datetime" in used,
        approvals=approvals,
        tests=tests,
        uses_failure=any(t["failure"] for t in tests),
        uses_history=any(t["ran"] or t["not_ran"] for t in tests),
        uses_targets=any(t["targets"] for t in tests),
        replay_name=f"test_{snake(workflow_id)}_replays_recorded_histories",
    )


def _run_test(
    project: ProjectInfo,
    info: WorkflowInfo,
    needs: Needs,
    outcome: Outcome,
    approvals: dict[str, str],
) -> dict[str, Any]:
    """The variables of one test that runs the workflow: its inputs, the gates it answers,
    what it expects."""
    fields = info.input.fields
    values: dict[str, Any] = {}
    for name in sorted(needs.answered_inputs):
        values[name] = float(LONG_WAIT) if fields[name] == "float" else LONG_WAIT
    for name in sorted(needs.short_inputs):
        values[name] = float(SHORT_WAIT) if fields[name] == "float" else SHORT_WAIT
    for name, value in outcome.inputs.items():
        values[name] = float(value) if fields[name] == "float" and type(value) is int else value
    variables = Namespace(
        {"client", "task_queue", "signal_target", "handle", "result", "ran", "failed"}
    )
    targets = [(variables.claim(snake(name)), name) for name in needs.signal_targets]
    input_code = fields_code(
        info.input, values, project.records, {name: variable for variable, name in targets}
    )
    description = outcome.description
    if description == "runs":
        returns = f" with a result of type {info.output}" if info.output != "None" else ""
        description = f"runs to its end{returns}"
    gates = bool(approvals)
    answers = "APPROVE" if gates else ""
    if outcome.unanswered and gates:
        answers = (
            "{node: message for node, message in APPROVE.items() "
            f"if node != {outcome.unanswered!r}}}"
        )
    elif outcome.answers and outcome.answers.items() <= approvals.items():
        answers = "APPROVE"
    elif outcome.answers:
        overrides = ", ".join(f"{node!r}: {code}" for node, code in outcome.answers.items())
        answers = f"{{**APPROVE, {overrides}}}" if gates else f"{{{overrides}}}"
    return {
        "name": f"test_{snake(info.definition.id)}_{outcome.name}",
        "docstring": docstring(_test_doc(description, outcome)),
        "targets": targets,
        "input": input_code,
        "answers": answers,
        "failure": repr(outcome.failure) if outcome.failure else None,
        "check": result_check(info.output) if not outcome.failure else None,
        "ran": outcome.ran,
        "not_ran": outcome.not_ran,
    }


def _test_doc(description: str, outcome: Outcome) -> str:
    parts = [description[:1].upper() + description[1:]]
    if outcome.failure:
        parts.append(f"the workflow fails with {outcome.failure}")
    if outcome.ran:
        parts.append(f"it runs {', '.join(outcome.ran)}")
    if outcome.not_ran:
        parts.append(f"it does not run {' or '.join(outcome.not_ran)}")
    return parts[0] + (": " + "; ".join(parts[1:]) if parts[1:] else "") + "."

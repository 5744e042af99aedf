"""One minimal document per diagnostic code, and every problem of a document in one pass.

Each case breaks exactly one thing, so it must produce exactly one diagnostic: the right code,
on the right workflow, node, edge and field, with a message that names the offending thing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest

from compiler import compile_project
from compiler.pipeline import check_document
from language.diagnostics import (
    AddNode,
    Codes,
    Diagnostic,
    Fix,
    RemoveField,
    SetField,
    Severity,
)
from tests.support.harness import chain, edge, node, project

CATALOGUE = [{"name": "charge", "input": {"amount": "int"}, "output": "str"}]
"""Every case has a catalogue, so the warning-only case can render."""


def workflow(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    return {"id": "flow", "nodes": nodes, "edges": edges, **fields}


def doc(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A project holding one workflow `flow` (a fresh copy: cases may change it)."""
    return copy.deepcopy(project("shop", [workflow(nodes, edges, **fields)], activities=CATALOGUE))


START = node("start", "start")
DONE = node("done", "end")


def timer(node_id: str, parent: str | None = None) -> dict[str, Any]:
    return node(node_id, "timer", parent=parent, duration="1s")


def charge(node_id: str, **config: Any) -> dict[str, Any]:
    config.setdefault("args", {"amount": "1"})
    return node(node_id, "activity", activity="charge", **config)


@dataclass(frozen=True)
class Case:
    code: str
    source: Any
    mentions: tuple[str, ...]
    """Text the message must contain: the offending id, name or value."""
    workflow_id: str | None = "flow"
    node_id: str | None = None
    edge_id: str | None = None
    field: str | None = None
    """A path into the node for node diagnostics (`config.<setting>`, `parent_id`, `type`)."""
    severity: Severity = Severity.ERROR


def _bounded_charge(node_id: str, parent: str | None = None) -> list[dict[str, Any]]:
    """A call of `charge` that gives up after three attempts."""
    step = node(node_id, "activity", parent=parent, activity="charge", args={"amount": "1"})
    step["config"]["retry"] = {"maximum_attempts": 3}
    return [step]


def _endless_charge(node_id: str, parent: str) -> dict[str, Any]:
    """A call of `charge` retried without end (the default policy gives up after ten)."""
    step = node(node_id, "activity", parent=parent, activity="charge", args={"amount": "1"})
    step["config"]["retry"] = {"maximum_attempts": 0}
    return step


def _long_catalogue_call() -> dict[str, Any]:
    document = doc([START, DONE], chain("start", "done"))
    document["activities"].append(
        {"name": "rebuild", "defaults": {"start_to_close_timeout": "20m"}}
    )
    return document


def _with_unknown_node_field() -> dict[str, Any]:
    document = doc([START, DONE], chain("start", "done"))
    document["workflows"][0]["nodes"][1]["colour"] = "red"
    return document


def _two_workflows_with_one_id() -> dict[str, Any]:
    flow = workflow([START, DONE], chain("start", "done"))
    return copy.deepcopy(project("shop", [flow, dict(flow, name="again")], activities=CATALOGUE))


def _duplicate_catalogue_entry() -> dict[str, Any]:
    document = doc([START, DONE], chain("start", "done"))
    document["activities"] = [*CATALOGUE, {"name": "charge", "input": {}, "output": "int"}]
    return document


def _shell_program_from_input() -> dict[str, Any]:
    document = doc([START, DONE], chain("start", "done"))
    tool = {"kind": "shell", "command": ["{tool}", "--version"]}
    document["activities"].append(
        {"name": "probe", "input": {"tool": "str"}, "implementation": tool}
    )
    return document


CASES = [
    Case(Codes.INVALID_JSON, '{"schema_version": 1, "id": ', ("line 1",), workflow_id=None),
    Case(Codes.SCHEMA, _with_unknown_node_field(), ("'colour'",), node_id="done", field="colour"),
    Case(
        Codes.UNKNOWN_KIND,
        doc([START, node("warp", "teleport"), DONE], chain("start", "warp", "done")),
        ("'teleport'",),
        node_id="warp",
        field="type",
    ),
    Case(
        Codes.BAD_CONFIG,
        doc(
            [START, node("t", "timer", duration="1s", colour="red"), DONE],
            chain("start", "t", "done"),
        ),
        ("'colour'",),
        node_id="t",
        field="config.colour",
    ),
    Case(
        Codes.DUPLICATE_NODE_ID,
        doc(
            [START, timer("t"), node("t", "timer", duration="2s"), DONE],
            chain("start", "t", "done"),
        ),
        ("'t'",),
        node_id="t",
    ),
    Case(
        Codes.DUPLICATE_EDGE_ID,
        doc(
            [START, timer("t"), DONE],
            [
                {"id": "link", "source": "start", "target": "t"},
                {"id": "link", "source": "t", "target": "done"},
            ],
        ),
        ("'link'",),
        edge_id="link",
    ),
    Case(
        Codes.DANGLING_EDGE,
        doc([START, DONE], [{"id": "to-ghost", "source": "start", "target": "ghost"}]),
        ("'to-ghost'", "'ghost'"),
        edge_id="to-ghost",
    ),
    Case(
        Codes.UNKNOWN_PORT,
        doc(
            [START, node("check", "condition", expression="True"), DONE],
            [edge("start", "check"), edge("check", "done", "maybe")],
        ),
        ("'check'", "'maybe'"),
        node_id="check",
        edge_id="check:maybe->done",
        field="source_handle",
    ),
    Case(
        Codes.PORT_USED_TWICE,
        doc(
            [START, timer("t"), DONE],
            [*chain("start", "t", "done"), {"id": "again", "source": "start", "target": "done"}],
        ),
        ("'out'", "'start'"),
        node_id="start",
        edge_id="again",
        field="source_handle",
    ),
    Case(Codes.MISSING_START, doc([DONE], []), ("Start",)),
    Case(
        Codes.DUPLICATE_START,
        doc([START, node("start2", "start"), DONE], chain("start", "done")),
        ("'start'",),
        node_id="start2",
    ),
    Case(
        Codes.UNREACHABLE,
        doc([START, DONE, timer("lost")], chain("start", "done")),
        ("'lost'",),
        node_id="lost",
        severity=Severity.WARNING,
    ),
    Case(
        Codes.CYCLE,
        doc([START, timer("a"), timer("b")], [*chain("start", "a", "b"), edge("b", "a")]),
        ("'a'", "'b'"),
        node_id="a",
    ),
    Case(
        Codes.UNSTRUCTURED,
        # `review` is reached from both arms of `vip`, which only meet again at `ship`:
        # nested blocks cannot say it without a flag or a copy of the step
        doc(
            [
                START,
                node("vip", "condition", expression="input.amount > 1000"),
                timer("score"),
                node("high", "condition", expression="input.amount > 5000"),
                node("known", "condition", expression="input.amount > 10"),
                node("trusted", "condition", expression="input.amount > 100"),
                timer("ship"),
                timer("review"),
                DONE,
                node("rejected", "end"),
            ],
            [
                edge("start", "vip"),
                edge("vip", "score", "true"),
                edge("score", "high"),
                edge("high", "ship", "true"),
                edge("high", "review", "false"),
                edge("vip", "known", "false"),
                edge("known", "ship", "true"),
                edge("known", "trusted", "false"),
                edge("trusted", "ship", "true"),
                edge("trusted", "review", "false"),
                edge("ship", "done"),
                edge("review", "rejected"),
            ],
            input={"amount": "int"},
        ),
        ("'review'",),
        node_id="review",
    ),
    Case(
        Codes.BAD_PARENT,
        doc([START, timer("t", parent="nowhere"), DONE], chain("start", "done")),
        ("'nowhere'",),
        node_id="t",
        field="parent_id",
    ),
    Case(
        Codes.CONTAINER_ENTRY,
        doc(
            [START, node("stage", "phase"), timer("a", "stage"), timer("b", "stage"), DONE],
            chain("start", "stage", "done"),
        ),
        ("'stage'", "'a'", "'b'"),
        node_id="stage",
    ),
    Case(
        Codes.EDGE_CROSSES_CONTAINER,
        doc(
            [START, node("stage", "phase"), timer("inside", "stage"), DONE],
            [*chain("start", "inside"), *chain("stage", "done")],
        ),
        ("'start->inside'",),
        node_id="start",
        edge_id="start->inside",
    ),
    Case(
        Codes.NOT_ALLOWED_HERE,
        doc(
            [START, DONE, node("poke", "signal", name="poke"), node("boom", "fail", message="no")],
            [*chain("start", "done"), *chain("poke", "boom")],
        ),
        ("signal handler",),
        node_id="boom",
    ),
    Case(
        Codes.NO_INPUT_PORT,
        doc(
            [
                START,
                node("check", "condition", expression="True"),
                DONE,
                node("poke", "signal", name="poke"),
            ],
            [
                edge("start", "check"),
                edge("check", "done", "true"),
                {"id": "into-poke", "source": "check", "source_handle": "false", "target": "poke"},
            ],
        ),
        ("'poke'",),
        node_id="poke",
        edge_id="into-poke",
    ),
    Case(
        Codes.UNMATCHED_PARALLEL,
        # the branches just stop: nothing says where they meet again
        doc(
            [START, node("fan", "parallel"), timer("a"), timer("b")],
            [edge("start", "fan"), edge("fan", "a", "branch"), edge("fan", "b", "branch")],
        ),
        ("'fan'", "Join"),
        node_id="fan",
    ),
    Case(
        Codes.DUPLICATE_HANDLER,
        doc(
            [START, DONE, node("s1", "signal", name="poke"), node("s2", "signal", name="poke")],
            chain("start", "done"),
        ),
        ("'poke'", "'s1'"),
        node_id="s2",
        field="config.name",
    ),
    Case(Codes.DUPLICATE_WORKFLOW, _two_workflows_with_one_id(), ("'flow'",)),
    Case(
        Codes.MISSING_RETURN,
        doc([START, timer("t")], chain("start", "t"), output="str"),
        ("str", "End"),
        node_id="start",
    ),
    Case(
        Codes.NOT_COLLAPSIBLE,
        doc([START, timer("t"), DONE], chain("start", "t", "done"), ui={"collapsed": ["t"]}),
        ("'t'", "timer"),
        node_id="t",
        severity=Severity.WARNING,
    ),
    Case(
        Codes.BAD_EXPRESSION,
        doc(
            [START, node("check", "condition", expression="__import__('os')"), DONE],
            [edge("start", "check"), edge("check", "done", "true")],
        ),
        ("__import__",),
        node_id="check",
        field="config.expression",
    ),
    Case(
        Codes.UNKNOWN_NAME,
        doc(
            [START, node("check", "condition", expression="mystery > 1"), DONE],
            [edge("start", "check"), edge("check", "done", "true")],
        ),
        ("'mystery'",),
        node_id="check",
        field="config.expression",
    ),
    Case(
        Codes.BAD_TYPE,
        doc([START, DONE], chain("start", "done"), input={"lookup": "dict[int, str]"}),
        ("dict[int, str]",),
        field="input.lookup",
    ),
    Case(
        Codes.UNKNOWN_TYPE,
        doc([START, DONE], chain("start", "done"), input={"part": "Widget"}),
        ("'Widget'",),
        field="input.part",
    ),
    Case(
        Codes.UNKNOWN_ACTIVITY,
        doc(
            [START, node("pay", "activity", activity="refund"), DONE], chain("start", "pay", "done")
        ),
        ("'refund'",),
        node_id="pay",
        field="config.activity",
    ),
    Case(
        Codes.UNKNOWN_WORKFLOW,
        doc(
            [START, node("kid", "child_workflow", workflow="billing"), DONE],
            chain("start", "kid", "done"),
        ),
        ("'billing'",),
        node_id="kid",
        field="config.workflow",
    ),
    Case(
        Codes.BAD_DURATION,
        doc([START, node("nap", "timer", duration="soon"), DONE], chain("start", "nap", "done")),
        ("'soon'",),
        node_id="nap",
        field="config.duration",
    ),
    Case(
        Codes.DUPLICATE_RESULT,
        doc(
            [START, charge("first", result="receipt"), charge("second", result="receipt"), DONE],
            chain("start", "first", "second", "done"),
        ),
        ("'receipt'", "'first'"),
        node_id="second",
        field="config.result",
    ),
    Case(
        Codes.BAD_ARGUMENT,
        doc(
            [START, charge("pay", args={"amount": "1", "tip": "2"}), DONE],
            chain("start", "pay", "done"),
        ),
        ("'tip'",),
        node_id="pay",
        field="config.args.tip",
    ),
    Case(
        Codes.DUPLICATE_ACTIVITY,
        _duplicate_catalogue_entry(),
        ("'charge'",),
        workflow_id=None,
        field="activities.1.name",
    ),
    Case(
        Codes.BAD_TEMPLATE,
        doc([START, node("stop", "fail", message="total {oops")], chain("start", "stop")),
        ("total {oops",),
        node_id="stop",
        field="config.message",
    ),
    Case(
        Codes.WAIT_IN_HANDLER,
        doc(
            [
                START,
                DONE,
                node("poke", "signal", name="poke"),
                node("gate", "wait", approved_when="state.ready"),
            ],
            [*chain("start", "done"), *chain("poke", "gate")],
            state=[{"name": "ready", "type": "bool"}],
        ),
        ("handler",),
        node_id="gate",
    ),
    Case(
        Codes.DUPLICATE_NAME,
        doc(
            [
                START,
                node(
                    "route",
                    "switch",
                    cases=[{"key": "a", "expression": "True"}, {"key": "a", "expression": "False"}],
                ),
                DONE,
            ],
            [edge("start", "route"), edge("route", "done", "case:a")],
        ),
        ("'a'",),
        node_id="route",
        field="config.cases.1.key",
    ),
    Case(
        Codes.BAD_DEFAULT,
        doc(
            [START, DONE],
            chain("start", "done"),
            state=[{"name": "retries", "type": "int", "default": "three"}],
        ),
        ("'retries'", "whole number", "'three'"),
        field="state.0.default",
    ),
    Case(
        Codes.ENDLESS_RETRIES,
        doc(
            [
                START,
                node("guarded", "try"),
                _endless_charge("pay", parent="guarded"),
                DONE,
            ],
            chain("start", "guarded", "done"),
        ),
        ("'charge'", "without end", "Try", "maximum number of attempts"),
        node_id="pay",
        field="config.retry",
        severity=Severity.WARNING,
    ),
    Case(
        Codes.FAILS_WORKFLOW,
        doc(
            [START, DONE, node("poke", "signal", name="poke"), *_bounded_charge("pay")],
            chain("start", "done") + chain("poke", "pay"),
        ),
        ("signal", "whole workflow fails", "Try with an error path"),
        node_id="pay",
        severity=Severity.WARNING,
    ),
    Case(
        Codes.NO_HEARTBEAT,
        _long_catalogue_call(),
        ("'rebuild'", "20m", "give it a heartbeat timeout"),
        workflow_id=None,
        field="activities.1.defaults.heartbeat_timeout",
        severity=Severity.WARNING,
    ),
    Case(
        Codes.INPUT_TAKES_CONTROL,
        _shell_program_from_input(),
        ("'{tool}'", "never which command runs"),
        workflow_id=None,
        field="activities.1.implementation.command.0",
    ),
    Case(
        Codes.UNBOUNDED_HISTORY,
        doc(
            [
                START,
                node("poll", "retry", max_attempts=0, until="state.ready"),
                charge("look", parent="poll"),
                DONE,
            ],
            chain("start", "poll", "done"),
            state=[{"name": "ready", "type": "bool"}],
        ),
        ("repeats without end", "about 8 events", "51,200", "at most 5,000 fit"),
        node_id="poll",
        field="config.max_attempts",
        severity=Severity.WARNING,
    ),
]

VARIANTS = [
    Case(
        Codes.UNBOUNDED_HISTORY,
        doc(
            [
                START,
                node("rounds", "loop", mode="while", condition="True", max_iterations=20_000),
                charge("look", parent="rounds"),
                DONE,
            ],
            chain("start", "rounds", "done"),
        ),
        ("up to 20000 times", "about 6 events", "at most 6,666 fit"),
        node_id="rounds",
        field="config.max_iterations",
        severity=Severity.WARNING,
    ),
    Case(
        Codes.NO_HEARTBEAT,
        doc(
            [START, charge("pay", start_to_close_timeout="2h"), DONE], chain("start", "pay", "done")
        ),
        ("'charge'", "2h", "heartbeat timeout"),
        node_id="pay",
        field="config.heartbeat_timeout",
        severity=Severity.WARNING,
    ),
    Case(
        Codes.BAD_DEFAULT,
        doc(
            [START, DONE],
            chain("start", "done"),
            input={"retries": "int"},
            input_defaults={"retries": 2.5},
        ),
        ("'retries'", "whole number", "2.5"),
        field="input_defaults.retries",
    ),
    Case(
        Codes.BAD_DEFAULT,
        doc(
            [START, DONE],
            chain("start", "done"),
            input={"retries": "int"},
            input_defaults={"retry": 2},
        ),
        ("'retry'", "no input field"),
        field="input_defaults.retry",
    ),
    Case(
        Codes.ENDLESS_RETRIES,
        doc(
            [
                START,
                node("again", "retry", max_attempts=3),
                _endless_charge("pay", parent="again"),
                DONE,
            ],
            chain("start", "again", "done"),
        ),
        ("'charge'", "Retry"),
        node_id="pay",
        field="config.retry",
        severity=Severity.WARNING,
    ),
    Case(
        Codes.BAD_DEFAULT,
        doc(
            [START, DONE],
            chain("start", "done"),
            state=[{"name": "when", "type": "datetime"}],
        ),
        ("'when'", "give it a default"),
        field="state.0.default",
    ),
    Case(
        Codes.DUPLICATE_HANDLER,
        doc(
            [
                START,
                node("gate", "wait", approved_when="state.total > 0"),
                DONE,
                node("mine", "query", name="pending_gates", value="state.total"),
            ],
            [edge("start", "gate"), edge("gate", "done", "approved")],
            state=[{"name": "total", "type": "int", "default": 0}],
        ),
        ("'pending_gates'", "Wait"),
        node_id="mine",
        field="config.name",
    ),
    Case(
        Codes.DUPLICATE_RESULT,
        doc(
            [
                START,
                charge("first", result="receipt"),
                node(
                    "note",
                    "set_state",
                    assignments=[
                        {"target": "copies", "value": "1"},
                        {"target": "receipt", "value": "'copy'"},
                    ],
                ),
                DONE,
            ],
            chain("start", "first", "note", "done"),
        ),
        ("'receipt'", "'first'"),
        node_id="note",
        field="config.assignments.1.target",
    ),
    Case(
        Codes.SCHEMA,
        "[1, 2]",
        ("JSON object",),
        workflow_id=None,
    ),
    Case(
        Codes.SCHEMA,
        project("shop", [{"id": "Not A Slug", "nodes": [], "edges": []}]),
        ("lowercase letters and digits", "joined by single dashes"),
        workflow_id="Not A Slug",
        field="workflows.0.id",
    ),
    Case(
        Codes.UNMATCHED_PARALLEL,
        doc([START, node("meet", "join"), DONE], chain("start", "meet", "done")),
        ("'meet'", "Parallel"),
        node_id="meet",
    ),
    Case(
        Codes.UNKNOWN_PORT,
        doc(
            [START, node("route", "switch", cases=[{"key": "a", "expression": "True"}]), DONE],
            [edge("start", "route"), edge("route", "done", "case:b")],
        ),
        ("'case:b'",),
        node_id="route",
        field="config.cases",
    ),
    Case(
        Codes.BAD_PARENT,
        doc([START, timer("t", parent="done"), DONE], chain("start", "done")),
        ("'done'",),
        node_id="t",
        field="parent_id",
    ),
    Case(
        Codes.NOT_ALLOWED_HERE,
        doc(
            [START, node("stage", "phase"), node("quit", "end", parent="stage"), DONE],
            chain("start", "stage", "done"),
        ),
        ("phase",),
        node_id="quit",
    ),
    Case(
        Codes.NOT_ALLOWED_HERE,
        doc(
            [
                START,
                node("stage", "phase"),
                timer("t", "stage"),
                node("poke", "signal", parent="stage", name="poke"),
                DONE,
            ],
            chain("start", "stage", "done"),
        ),
        ("Signal",),
        node_id="poke",
        field="parent_id",
    ),
    Case(
        # the unwired default of `route` ends the workflow early, without the str it promises
        Codes.MISSING_RETURN,
        doc(
            [
                START,
                node(
                    "route",
                    "switch",
                    cases=[
                        {"key": "big", "expression": "input.amount > 100"},
                        {"key": "small", "expression": "input.amount > 0"},
                    ],
                ),
                timer("ship"),
                timer("post"),
                timer("after"),
                node("done", "end", value="'sent'"),
            ],
            [
                edge("start", "route"),
                edge("route", "ship", "case:big"),
                edge("route", "post", "case:small"),
                edge("ship", "after"),
                edge("post", "after"),
                edge("after", "done"),
            ],
            input={"amount": "int"},
            output="str",
        ),
        ("str", "End"),
        node_id="start",
    ),
    Case(
        Codes.MISSING_RETURN,
        doc([START, DONE], chain("start", "done"), output="str"),
        ("str",),
        node_id="done",
        field="config.value",
    ),
    Case(
        Codes.UNKNOWN_NAME,
        doc([START, DONE], chain("start", "done"), settings={"id_template": "job-{state.count}"}),
        ("'state'",),
        field="settings.id_template",
    ),
    Case(
        Codes.UNKNOWN_NAME,
        doc(
            [
                START,
                node("keep", "set_state", assignments=[{"target": "state.total", "value": "1"}]),
                DONE,
            ],
            chain("start", "keep", "done"),
        ),
        ("'total'",),
        node_id="keep",
        field="config.assignments.0.target",
    ),
    Case(
        # a project type that does not exist is unknown wherever it is named
        Codes.UNKNOWN_TYPE,
        doc(
            [START, DONE, node("ask", "query", name="part", value="state", returns="Widget")],
            chain("start", "done"),
        ),
        ("'Widget'",),
        node_id="ask",
        field="config.returns",
    ),
    Case(
        Codes.BAD_DURATION,
        doc([START, DONE], chain("start", "done"), settings={"execution_timeout": "forever"}),
        ("'forever'",),
        field="settings.execution_timeout",
    ),
    Case(
        Codes.BAD_TEMPLATE,
        doc([START, DONE], chain("start", "done"), settings={"id_template": "job-{"}),
        ("job-{",),
        field="settings.id_template",
    ),
    Case(
        Codes.BAD_ARGUMENT,
        doc([START, charge("pay", args={}), DONE], chain("start", "pay", "done")),
        ("'amount'",),
        node_id="pay",
        field="config.args.amount",
    ),
    Case(
        # a collapsed id left behind by a node since removed
        Codes.NOT_COLLAPSIBLE,
        doc([START, DONE], chain("start", "done"), ui={"collapsed": ["gone"]}),
        ("'gone'",),
        field="ui.collapsed",
        severity=Severity.WARNING,
    ),
]


def _case_id(case: Case) -> str:
    name = next(key for key, value in vars(Codes).items() if value == case.code)
    where = [part for part in (case.node_id or case.edge_id, case.field) if part]
    return "-".join([case.code, name.lower(), *where])


def _diagnostics(source: Any) -> list[Diagnostic]:
    """Both entry points agree; a document with errors compiles to no files, one without does."""
    checked = check_document(source)
    compiled = compile_project(source)
    assert compiled.diagnostics == checked.diagnostics
    assert compiled.ok == checked.ok
    assert bool(compiled.files) == compiled.ok
    return checked.diagnostics


def _node_relative(field: str | None) -> str | None:
    """Fields of node diagnostics without the `config.` prefix, for a spelling-blind compare."""
    return field.removeprefix("config.") if field else field


def _describe(diagnostics: list[Diagnostic]) -> str:
    return "\n".join(d.format() for d in diagnostics) or "no diagnostics"


@pytest.mark.parametrize("case", CASES + VARIANTS, ids=_case_id)
def test_each_code_has_a_minimal_document(case: Case) -> None:
    diagnostics = _diagnostics(case.source)
    assert [d.code for d in diagnostics] == [case.code], _describe(diagnostics)
    (found,) = diagnostics
    assert found.severity == case.severity
    assert check_document(case.source).ok == (case.severity is Severity.WARNING)
    assert found.workflow_id == case.workflow_id
    assert found.node_id == case.node_id
    assert found.edge_id == case.edge_id
    assert _node_relative(found.field) == _node_relative(case.field)
    for text in case.mentions:
        assert text in found.message, f"{text!r} missing from {found.message!r}"
    assert found.message.strip() and found.format()


NOT_FROM_A_DOCUMENT = {Codes.INTERNAL}
"""Codes no correct compiler produces from any document: INTERNAL means generated code that
does not parse, a compiler bug (test_property asserts it never appears)."""

FROM_TWO_VERSIONS = {Codes.INCOMPATIBLE}
"""Codes a compile against an older version gives (`compatible_with`): tests/
test_patching_runtime.py triggers them."""


def test_every_code_has_a_triggering_case() -> None:
    """Each stable code is produced by at least one document above."""
    covered = {case.code for case in CASES} | NOT_FROM_A_DOCUMENT | FROM_TWO_VERSIONS
    missing = {
        name: code
        for name, code in vars(Codes).items()
        if not name.startswith("_") and code not in covered
    }
    assert not missing, f"no document triggers these codes: {missing}"


def test_node_fields_are_paths_into_the_node() -> None:
    """A node diagnostic's field is spelled the way the document spells it: `config.<setting>`.

    The editor highlights the setting from it, so one setting has one spelling whichever stage
    reports it: a step's result name is `config.result` for DUPLICATE_RESULT, and must be the
    same for BAD_ARGUMENT.
    """
    spelled: dict[str, str | None] = {}
    for case in CASES + VARIANTS:
        if not (case.node_id and case.field):
            continue
        for found in _diagnostics(case.source):
            if found.node_id == case.node_id and found.field != case.field:
                spelled[_case_id(case)] = found.field
    assert not spelled, f"fields that are not paths into the node: {spelled}"


def test_a_broken_document_reports_every_problem_in_one_pass() -> None:
    catalogue = [
        {"name": "charge", "input": {"amount": "int"}, "output": "str"},
        {"name": "charge", "input": {}, "output": "str"},
        {"name": "ship", "output": "Parcel", "defaults": {"start_to_close_timeout": "later"}},
    ]
    broken_graph = workflow(
        [
            START,
            node("pay", "activity", activity="refund"),
            node("check", "condition", expression="lambda: 1"),
            node("nap", "timer", duration="5 minutes"),
            DONE,
        ],
        [
            *chain("start", "pay", "check"),
            edge("check", "nap", "true"),
            edge("nap", "done"),
            {"id": "to-ghost", "source": "check", "source_handle": "false", "target": "ghost"},
        ],
    )
    broken_scopes = {
        "id": "audit",
        "output": "str",
        "nodes": [
            START,
            node("answer", "end", value="mystery"),
            node("poke", "signal", name="poke"),
            node("boom", "fail", message="no"),
        ],
        "edges": [*chain("start", "answer"), *chain("poke", "boom")],
    }
    no_start = {"id": "orphan", "nodes": [DONE], "edges": []}
    document = project(
        "shop",
        copy.deepcopy([broken_graph, broken_scopes, no_start]),
        activities=catalogue,
        types={"Parcel": {"fields": {"size": "Widget"}}},
    )
    found = {
        (d.code, d.workflow_id, d.node_id, d.edge_id, _node_relative(d.field))
        for d in _diagnostics(document)
    }
    assert found == {
        (Codes.DUPLICATE_ACTIVITY, None, None, None, "activities.1.name"),
        (Codes.BAD_DURATION, None, None, None, "activities.2.defaults.start_to_close_timeout"),
        (Codes.UNKNOWN_TYPE, None, None, None, "types.Parcel.fields.size"),
        (Codes.DANGLING_EDGE, "flow", None, "to-ghost", None),
        (Codes.UNKNOWN_ACTIVITY, "flow", "pay", None, "activity"),
        (Codes.BAD_EXPRESSION, "flow", "check", None, "expression"),
        (Codes.BAD_DURATION, "flow", "nap", None, "duration"),
        (Codes.UNKNOWN_NAME, "audit", "answer", None, "value"),
        (Codes.NOT_ALLOWED_HERE, "audit", "boom", None, None),
        (Codes.MISSING_START, "orphan", None, None, None),
    }


def test_every_schema_violation_is_reported_at_once() -> None:
    document = doc([START, DONE], chain("start", "done"))
    document["colour"] = "red"
    document["workflows"][0]["nodes"][0]["size"] = {"width": -1, "height": 10}
    document["workflows"][0]["edges"][0]["weight"] = 3
    found = {
        (d.code, d.workflow_id, d.node_id, d.edge_id, d.field)
        for d in _diagnostics(json.dumps(document))
    }
    assert found == {
        (Codes.SCHEMA, None, None, None, "colour"),
        (Codes.SCHEMA, "flow", "start", None, "size.width"),
        (Codes.SCHEMA, "flow", None, "start->done", "weight"),
    }


@pytest.mark.parametrize(
    "bound",
    [
        {"retry": {"maximum_attempts": 3}},
        {"schedule_to_close_timeout": "10m"},
    ],
)
def test_an_activity_whose_retries_end_may_fail_into_its_try(bound: dict[str, Any]) -> None:
    step = node("pay", "activity", parent="guarded", activity="charge", args={"amount": "1"})
    step["config"].update(bound)
    document = doc([START, node("guarded", "try"), step, DONE], chain("start", "guarded", "done"))
    assert _diagnostics(document) == []


def test_a_step_in_a_signal_handler_may_fail_inside_a_try_with_an_error_path() -> None:
    handler = [
        node("poke", "signal", name="poke"),
        node("guarded", "try"),
        *_bounded_charge("pay", parent="guarded"),
        node("note", "set_state", assignments=[{"target": "state.problem", "value": "error"}]),
    ]
    document = doc(
        [START, DONE, *handler],
        chain("start", "done") + chain("poke", "guarded") + [edge("guarded", "note", "error")],
        state=[{"name": "problem", "type": "str", "default": ""}],
    )
    assert _diagnostics(document) == []
    # without the error path the failure still reaches the handler, and the workflow
    document["workflows"][0]["edges"].pop()
    document["workflows"][0]["nodes"].pop()
    assert [d.code for d in _diagnostics(document)] == [Codes.FAILS_WORKFLOW]


def test_a_type_named_like_a_generated_class_is_reported_not_renamed() -> None:
    """`FlowState` is what the state of workflow `flow` compiles to: the project type keeps
    its name and the clash is a diagnostic on the type, not a silent `FlowState_2`."""
    document = doc([START, DONE], chain("start", "done"))
    document["types"] = {
        "FlowState": {"fields": {"count": "int"}},
        "ChargeInput": {"fields": {"amount": "int"}},
        "Receipt": {"fields": {"amount": "int"}},
    }
    found = [d for d in _diagnostics(document) if d.code == Codes.DUPLICATE_NAME]
    assert [(d.field, d.message) for d in found] == [
        (
            "types.ChargeInput",
            "the type 'ChargeInput' has the name of the class generated for the input of "
            "activity 'charge'; rename the type",
        ),
        (
            "types.FlowState",
            "the type 'FlowState' has the name of the class generated for the state of workflow "
            "'flow'; rename the type",
        ),
    ]


@pytest.mark.parametrize(
    ("config", "field", "words"),
    [
        ({"child": "done"}, "config.child", "'done' is not a child workflow node"),
        ({"child": "ghost"}, "config.child", "'ghost' is not a child workflow node"),
        (
            {"child": "kid", "workflow_id": "{input.who}"},
            "config.workflow_id",
            "either the workflow id to signal or a child node, not both",
        ),
        ({}, "config.workflow_id", "give the id of the workflow to signal, or pick a child"),
    ],
)
def test_a_signal_names_one_receiver_a_child_node_or_an_id(
    config: dict[str, Any], field: str, words: str
) -> None:
    document = doc(
        [
            START,
            node("kid", "child_workflow", workflow="flow", wait=False),
            node("tell", "signal_external", signal="poke", **config),
            DONE,
        ],
        chain("start", "kid", "tell", "done"),
        input={"who": "str"},
    )
    # (the child's workflow has no signal "poke": that is reported on the signal's name)
    found = [
        d for d in _diagnostics(document) if d.node_id == "tell" and d.field != "config.signal"
    ]
    assert [(d.code, d.field) for d in found] == [(Codes.BAD_ARGUMENT, field)]
    assert words in found[0].message


def test_an_update_may_wait_and_an_exclusive_handler_holds_the_workflow_lock() -> None:
    """An update's caller waits for its result, so its handler may wait on a gate (a signal's
    may not); `exclusive` handlers run under one lock."""
    document = doc(
        [
            START,
            DONE,
            node("ask", "update", name="ask", exclusive=True),
            node("gate", "wait", approved_when="state.ready"),
            node("poke", "signal", name="poke", exclusive=True),
            node("mark", "set_state", assignments=[{"target": "state.ready", "value": "True"}]),
        ],
        [*chain("start", "done"), *chain("ask", "gate"), *chain("poke", "mark")],
        state=[{"name": "ready", "type": "bool"}],
    )
    result = compile_project(document)
    assert result.ok, [d.format() for d in result.diagnostics]
    code = result.files["workflows/flow.py"]
    assert "self._handler_lock = asyncio.Lock()" in code
    assert code.count("async with self._handler_lock:") == 2


# --- what a person reads: names, words, everything at once, quick fixes -----------------------


def _only(source: Any, code: str) -> Diagnostic:
    (found,) = [d for d in _diagnostics(source) if d.code == code]
    return found


def test_a_diagnostic_names_the_node_by_its_label_and_the_field_by_its_title() -> None:
    fetch = node("a", "activity", label="Fetch thing", activity="")
    document = doc([START, fetch, DONE], chain("start", "a", "done"))
    found = _only(document, Codes.BAD_CONFIG)
    # the editor still finds the node and the field by id and path
    assert (found.workflow_id, found.node_id, found.field) == ("flow", "a", "config.activity")
    assert (found.node_name, found.field_name, found.message) == (
        "Fetch thing",
        "Activity",
        "must not be empty",
    )
    assert found.format() == "flow › Fetch thing (a) › Activity: must not be empty [E101]"


def test_a_node_is_named_with_its_id_where_its_label_repeats_or_is_empty() -> None:
    first = charge("first", result="receipt")
    second = charge("second", result="receipt")
    first["label"] = second["label"] = "Charge"
    nap = node("nap", "timer", duration="soon")
    nap["label"] = "  "
    document = doc(
        [START, first, second, nap, DONE], chain("start", "first", "second", "nap", "done")
    )
    assert _only(document, Codes.DUPLICATE_RESULT).node_name == "Charge (second)"
    named = _only(document, Codes.BAD_DURATION)
    assert (named.node_name, named.field_name) == ("Timer (nap)", "Duration")
    assert named.format().startswith("flow › Timer (nap) › Duration: ")


@pytest.mark.parametrize(
    ("source", "code", "field_name"),
    [
        # a nested setting by the titles on its way, a key the user chose as written
        (
            doc(
                [START, charge("pay", retry={"maximum_attempts": -1}), DONE],
                chain("start", "pay", "done"),
            ),
            Codes.BAD_CONFIG,
            "Retry › Maximum attempts",
        ),
        (
            doc(
                [START, charge("pay", args={"amount": "1", "tip": "2"}), DONE],
                chain("start", "pay", "done"),
            ),
            Codes.BAD_ARGUMENT,
            "Args › tip",
        ),
        # an item of a list by its name
        (
            doc(
                [START, DONE],
                chain("start", "done"),
                state=[{"name": "retries", "type": "int", "default": "three"}],
            ),
            Codes.BAD_DEFAULT,
            "State › retries › Default",
        ),
        (_duplicate_catalogue_entry(), Codes.DUPLICATE_ACTIVITY, "Activities › charge › Name"),
        # a setting the kind does not have, as it is written
        (
            doc(
                [START, node("t", "timer", duration="1s", colour="red"), DONE],
                chain("start", "t", "done"),
            ),
            Codes.BAD_CONFIG,
            "colour",
        ),
    ],
    ids=["nested", "argument", "state", "catalogue", "unknown"],
)
def test_a_field_is_named_by_its_title_its_key_or_its_items_name(
    source: Any, code: str, field_name: str
) -> None:
    assert _only(source, code).field_name == field_name


def test_an_edge_is_named_by_the_nodes_it_joins() -> None:
    document = doc(
        [START, node("check", "condition", label="Big?", expression="True"), DONE],
        [edge("start", "check"), edge("check", "done", "maybe")],
    )
    found = _only(document, Codes.UNKNOWN_PORT)
    assert (found.edge_name, found.field_name) == ("Big? → done", "Port")
    assert found.format().startswith("flow › Big? → done (check:maybe->done) › Port: ")


def test_a_document_that_does_not_load_names_the_node_too() -> None:
    document = doc([START, node("t", "timer", label="Nap", duration="1s"), DONE], [])
    document["workflows"][0]["nodes"][1]["size"] = {"width": 0, "height": 10}
    found = _only(document, Codes.SCHEMA)
    assert (found.node_id, found.field) == ("t", "size.width")
    assert found.format() == "flow › Nap (t) › Size › Width: must be more than 0 [E002]"


def test_a_broken_config_hides_none_of_the_graphs_other_problems() -> None:
    """The checks that read the edges alone still run when a node's config is broken: the
    broken node, a node nothing leads to and a container without one first step are reported
    together."""
    document = doc(
        [
            START,
            charge("pay", retry={"maximum_attempts": "3"}),
            node("stage", "phase"),
            timer("a", "stage"),
            timer("b", "stage"),
            DONE,
            timer("lost"),
        ],
        chain("start", "pay", "stage", "done"),
    )
    found = {(d.code, d.node_id) for d in _diagnostics(document)}
    assert found == {
        (Codes.BAD_CONFIG, "pay"),
        (Codes.CONTAINER_ENTRY, "stage"),
        (Codes.UNREACHABLE, "lost"),
    }
    # fixed, the config no longer stands in the way of the checks that need every config
    document["workflows"][0]["nodes"][1]["config"]["retry"]["maximum_attempts"] = 3
    assert {d.code for d in _diagnostics(document)} == {Codes.CONTAINER_ENTRY, Codes.UNREACHABLE}


def _fixed(source: dict[str, Any], found: Diagnostic) -> dict[str, Any]:
    """The document with the diagnostic's fix applied, as the editor applies it."""
    fixed = copy.deepcopy(source)
    fix = found.fix
    assert fix is not None
    (flow,) = fixed["workflows"]
    if isinstance(fix, AddNode):
        flow["nodes"].append(node("start-2", fix.type))
        return fixed
    target = fixed if fix.node is None else next(n for n in flow["nodes"] if n["id"] == fix.node)
    *path, last = fix.field.split(".")
    for part in path:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if isinstance(fix, SetField):
        target[last] = fix.value
    else:
        del target[last]
    return fixed


def _long_call() -> dict[str, Any]:
    return doc(
        [START, charge("pay", start_to_close_timeout="2h"), DONE], chain("start", "pay", "done")
    )


@pytest.mark.parametrize(
    ("source", "code", "fix"),
    [
        (doc([DONE], []), Codes.MISSING_START, AddNode(type="start", title="Add a Start node")),
        (
            doc(
                [START, node("guarded", "try"), _endless_charge("pay", parent="guarded"), DONE],
                chain("start", "guarded", "done"),
            ),
            Codes.ENDLESS_RETRIES,
            SetField(
                node="pay",
                field="config.retry",
                value={"maximum_attempts": 10},
                title="Give up after 10 attempts",
            ),
        ),
        (
            _long_call(),
            Codes.NO_HEARTBEAT,
            SetField(
                node="pay",
                field="config.heartbeat_timeout",
                value="1m",
                title="Set a heartbeat timeout of 1m",
            ),
        ),
        (
            _long_catalogue_call(),
            Codes.NO_HEARTBEAT,
            SetField(
                node=None,
                field="activities.1.defaults.heartbeat_timeout",
                value="1m",
                title="Set a heartbeat timeout of 1m",
            ),
        ),
        (
            doc(
                [START, node("t", "timer", duration="1s", colour="red"), DONE],
                chain("start", "t", "done"),
            ),
            Codes.BAD_CONFIG,
            RemoveField(node="t", field="config.colour", title="Remove 'colour'"),
        ),
    ],
    ids=["missing-start", "endless-retries", "heartbeat", "catalogue-heartbeat", "unknown-setting"],
)
def test_a_mechanical_fix_is_offered_and_makes_the_problem_go_away(
    source: dict[str, Any], code: str, fix: Fix
) -> None:
    found = _only(source, code)
    assert found.fix == fix
    assert found.to_dict()["fix"]["kind"] == fix.kind
    assert code not in {d.code for d in _diagnostics(_fixed(source, found))}


def test_a_fix_keeps_the_retry_policy_it_bounds() -> None:
    """The catalogue's policy for the call, its intervals kept, with the attempts bounded."""
    document = doc(
        [START, node("guarded", "try"), charge("pay", parent="guarded"), DONE],
        chain("start", "guarded", "done"),
    )
    document["activities"][0]["defaults"] = {
        "retry": {"initial_interval": "5s", "maximum_attempts": 0}
    }
    fix = _only(document, Codes.ENDLESS_RETRIES).fix
    assert isinstance(fix, SetField)
    assert fix.value["initial_interval"] == "5s"
    assert fix.value["maximum_attempts"] == 10


def test_a_bad_value_of_a_known_setting_offers_no_fix() -> None:
    document = doc(
        [START, node("t", "timer", duration=""), DONE],
        chain("start", "t", "done"),
    )
    assert _only(document, Codes.BAD_CONFIG).fix is None

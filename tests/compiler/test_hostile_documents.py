"""Documents built to break the compiler get a diagnostic naming the node and the field, never
an exception, a wrong source map or a "bug in the compiler" (E900)."""

from __future__ import annotations

from typing import Any

import pytest

from compiler import compile_project
from language.document import MAX_CONTAINER_DEPTH, MAX_NODES, MAX_PROJECT_NODES
from tests.support.harness import chain, node, project

CONTAINER_CONFIG: dict[str, dict[str, Any]] = {
    "loop": {"items": "[1, 2]"},
    "retry": {"max_attempts": 2},
    "try": {},
    "phase": {},
}


def nested(kinds: list[str], inner: dict[str, Any]) -> dict[str, Any]:
    """A workflow whose containers hold each other in the order of `kinds`, `inner` inside."""
    nodes = [node("start", "start")]
    parent = None
    for index, kind in enumerate(kinds):
        container = node(f"c{index}", kind, **CONTAINER_CONFIG[kind])
        if parent is not None:
            container["parent_id"] = parent
        nodes.append(container)
        parent = container["id"]
    inner["parent_id"] = parent
    nodes += [inner, node("finish", "end", value="state.n")]
    return project(
        "nested",
        [
            {
                "id": "w",
                "name": "W",
                "input": {},
                "output": "int",
                "state": [{"name": "n", "type": "int", "default": 0}],
                "nodes": nodes,
                "edges": chain("start", "c0", "finish"),
            }
        ],
        activities=[
            {
                "name": "step",
                "input": {"n": "int"},
                "output": "int",
                "implementation": {"kind": "simulate", "result": 1},
            }
        ],
    )


def count_up() -> dict[str, Any]:
    return node("inner", "set_state", assignments=[{"target": "state.n", "value": "state.n + 1"}])


def errors(document: dict[str, Any]) -> list[tuple[str | None, str | None, str]]:
    result = compile_project(document)
    return [(d.node_id, d.field, d.message) for d in result.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("kind", ["loop", "retry", "try", "phase"])
def test_containers_nested_too_deep_are_a_diagnostic_on_the_first_node_too_deep(kind: str) -> None:
    found = errors(nested([kind] * (MAX_CONTAINER_DEPTH + 1), count_up()))

    assert found == [
        (
            "inner",
            "parent_id",
            f"containers nest at most {MAX_CONTAINER_DEPTH} deep and this node is inside "
            f"{MAX_CONTAINER_DEPTH + 1}; move it out, or move the inner part into a child "
            "workflow",
        )
    ]


def test_a_thousand_nested_containers_are_one_diagnostic_not_a_recursion_error() -> None:
    found = errors(nested(["phase", "loop"] * 500, count_up()))

    # c0 is inside no container, c7 inside seven: the outermost node too deep
    assert [(node_id, field) for node_id, field, _ in found] == [
        (f"c{MAX_CONTAINER_DEPTH + 1}", "parent_id")
    ]


@pytest.mark.parametrize(
    "inner",
    [
        count_up(),
        node(
            "inner",
            "activity",
            activity="step",
            args={"n": "state.n"},
            retry={"maximum_attempts": 3},
            start_to_close_timeout="5s",
        ),
        node("inner", "timer", duration="1s"),
    ],
    ids=["set_state", "activity", "timer"],
)
@pytest.mark.parametrize("kind", ["loop", "retry", "try"])
def test_containers_as_deep_as_allowed_compile(kind: str, inner: dict[str, Any]) -> None:
    # a retry opens two blocks: six of them and the step inside stay within Python's twenty
    result = compile_project(nested([kind] * MAX_CONTAINER_DEPTH, dict(inner)))

    assert result.ok, [d.format() for d in result.diagnostics]


def test_containers_in_a_circle_are_a_diagnostic_on_each() -> None:
    document = nested(["phase", "phase"], count_up())
    document["workflows"][0]["nodes"][1]["parent_id"] = "c1"  # c0 inside c1 inside c0

    found = errors(document)

    circles = {node_id for node_id, field, message in found if "circle" in message}
    assert circles == {"c0", "c1", "inner"}


def chain_of(size: int) -> dict[str, Any]:
    steps = [
        node(f"s{i}", "set_state", assignments=[{"target": "state.n", "value": "state.n + 1"}])
        for i in range(size)
    ]
    nodes = [node("start", "start"), *steps, node("finish", "end", value="state.n")]
    return project(
        "long",
        [
            {
                "id": "w",
                "name": "W",
                "input": {},
                "output": "int",
                "state": [{"name": "n", "type": "int", "default": 0}],
                "nodes": nodes,
                "edges": chain(*(n["id"] for n in nodes)),
            }
        ],
    )


def test_a_workflow_over_the_node_limit_is_refused_naming_the_limit() -> None:
    found = errors(chain_of(MAX_NODES - 1))

    assert found == [
        (
            None,
            "workflows.0.nodes",
            f"a workflow holds at most {MAX_NODES} nodes (this one has {MAX_NODES + 1}); "
            "move parts of it into child workflows",
        )
    ]


def test_a_project_over_its_node_limit_is_one_diagnostic_before_any_check() -> None:
    workflow = chain_of(MAX_NODES - 2)["workflows"][0]
    count = MAX_PROJECT_NODES // MAX_NODES + 1
    document = chain_of(1)
    document["workflows"] = [{**workflow, "id": f"w{i}"} for i in range(count)]
    found = errors(document)

    assert found == [
        (
            None,
            "workflows",
            f"a project holds at most {MAX_PROJECT_NODES} nodes in all its workflows (this one "
            f"has {count * MAX_NODES}); move some workflows into a project of their own",
        )
    ]


def test_a_workflow_at_the_node_limit_compiles_with_a_source_map_for_every_node() -> None:
    result = compile_project(chain_of(MAX_NODES - 2))

    assert result.ok, [d.format() for d in result.diagnostics[:3]]
    ranges = result.sourcemap["w"]
    assert {f"s{i}" for i in range(MAX_NODES - 2)} <= set(ranges)
    source = result.files["workflows/w.py"].splitlines()
    last = ranges[f"s{MAX_NODES - 3}"]
    assert source[last["start"] - 1].strip() == "self._state.n = self._state.n + 1"


def test_a_description_wrapped_into_a_marker_line_stays_in_the_docstring() -> None:
    # the docstring wraps at 76 characters: the marker text lands on a line of its own
    description = "a" * 76 + " # @wfd-end 99999 " + "y" * 70
    document = nested(["phase"], count_up())
    document["workflows"][0]["description"] = description

    result = compile_project(document)

    assert result.ok, [d.format() for d in result.diagnostics]
    source = result.files["workflows/w.py"]
    assert "    # @wfd-end 99999\n" in source
    inner = result.sourcemap["w"]["inner"]
    assert source.splitlines()[inner["start"] - 1].strip() == "self._state.n = self._state.n + 1"


@pytest.mark.parametrize("name", ["list", "dict", "set"])
def test_a_field_named_like_a_default_factory_is_a_diagnostic(name: str) -> None:
    """`list: int = 1` in a dataclass would make `field(default_factory=list)` after it call 1."""
    document = chain_of(1)
    flow = document["workflows"][0]
    flow["input"] = {name: "int", "items": "list[str]"}
    flow["input_defaults"] = {name: 1, "items": []}

    found = errors(document)

    assert len(found) == 1
    _node_id, field, message = found[0]
    assert field == f"input.{name}"
    assert f"cannot be named {name!r}" in message

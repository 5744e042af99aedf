"""Evaluating document expressions on a run's recorded data: the subset the compiler accepts,
on JSON values; anything unknown, unreadable or too costly is Unknown, never a guess."""

from __future__ import annotations

from typing import Any

import pytest

from backend.runtime.expression_values import (
    Bound,
    Unknown,
    evaluate,
    item_paths,
    navigate,
    put,
)


class Data:
    def __init__(self, names: dict[str, Any], state: dict[str, Any]) -> None:
        self.names = names
        self.state_values = state

    def name(self, name: str) -> Any:
        if name not in self.names:
            raise Unknown(name)
        return self.names[name]

    def state(self, path: tuple[str, ...]) -> Any:
        return navigate(self.state_values, path)


DATA = Data(
    {
        "input": {"run": "r1", "limit": 3, "tasks": [{"name": "a", "deps": []}]},
        "graph": [{"name": "x", "deps": ["y", "z"]}, {"name": "y", "deps": []}],
    },
    {"max_concurrent": 4, "progress": {"running": {"a": "job-a"}}, "queue": ["p", "q"]},
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("input.limit * 2", 6),
        ("state.max_concurrent", 4),
        ("state.progress.running['a']", "job-a"),
        ("len(state.queue) + 1", 3),
        ("[t.name for t in graph if t.deps]", ["x"]),
        ("{t.name: len(t.deps) for t in graph}", {"x": 2, "y": 0}),
        ("max(1, min(10, input.limit))", 3),
        ("'-'.join(sorted(state.queue))", "p-q"),
        ("input.tasks[0].name.upper()", "A"),
        ("state.queue[1:]", ["q"]),
        ("'yes' if input.limit > 2 else 'no'", "yes"),
        ("Outcome(count=input.limit, status='ok')", {"count": 3, "status": "ok"}),
        ("not state.queue or input.limit", 3),
    ],
)
def test_expressions_evaluate_on_recorded_data(text: str, expected: Any) -> None:
    assert evaluate(text, DATA) == expected


def test_templates_and_bound_items() -> None:
    item = {"name": "pkg", "deps": ["a", "b"]}
    names = Bound({"item": item}, DATA)
    assert evaluate("build-{input.run}-{item.name}", names, template=True) == "build-r1-pkg"
    assert evaluate("item.deps", names) == ["a", "b"]
    assert evaluate("plain", names, template=True) == "plain"


@pytest.mark.parametrize(
    "text",
    [
        "missing.value",  # a name nothing recorded
        "input.nope",  # a field the data does not have
        "state.queue[5]",  # out of range
        "input.limit / 0",
        "[0] * input.limit * 100000",  # too large
        "len([x for x in [1] * 90000 for y in [1] * 90000])",  # too costly
        "input.run.capitalize()",  # not an allowed method
        "1 +",  # not an expression
    ],
)
def test_what_cannot_be_known_is_unknown(text: str) -> None:
    with pytest.raises(Unknown):
        evaluate(text, DATA)


def test_item_paths_rebuild_items_from_child_inputs() -> None:
    assert item_paths("item.name") == ("name",)
    assert item_paths("item.meta.owner") == ("meta", "owner")
    assert item_paths("item") == ()
    assert item_paths("item.name.upper()") is None
    assert item_paths("input.run") is None
    target: dict[str, Any] = {}
    put(target, ("meta", "owner"), "ada")
    put(target, ("name",), "pkg")
    assert target == {"meta": {"owner": "ada"}, "name": "pkg"}

"""The names an expression may use at each node, with their types: what an editor completes.

The scope checker (`compiler.scopes`) already worked them out; this stage only writes them down
compactly. Scopes along a sequence differ by a name or two, so each distinct scope is stored
once, as the names it adds to (or drops from) the scope stored before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.scopes import Analysis
from compiler.structure import Tree
from language.expressions import FUNCTIONS
from node_types import REGISTRY
from node_types.context import Scope
from node_types.project_info import ProjectInfo


@dataclass
class ScopeDelta:
    """One distinct scope: the scope at `base` (none when -1), with `add` set and `drop` gone."""

    base: int
    add: dict[str, str]
    drop: list[str]


@dataclass
class WorkflowCompletions:
    nodes: dict[str, int] = field(default_factory=dict)
    """node id -> index of the scope its fields see."""
    fields: dict[str, dict[str, int]] = field(default_factory=dict)
    """node id -> field path prefix (`config.until`) -> index of that field's scope, where it
    differs from the node's (fields that see `item`, or the node's own result)."""
    settings: int = -1
    """Index of the scope of the workflow's settings (its id template): `input` alone, since
    they are read before the workflow runs."""


@dataclass
class Completions:
    scopes: list[ScopeDelta] = field(default_factory=list)
    workflows: dict[str, WorkflowCompletions] = field(default_factory=dict)
    records: dict[str, dict[str, str]] = field(default_factory=dict)
    """record type -> its fields and their types: what follows `name.`."""
    functions: list[str] = field(default_factory=list)


class _Interner:
    def __init__(self, completions: Completions) -> None:
        self.completions = completions
        self.known: dict[frozenset[tuple[str, str]], int] = {}
        self.last: dict[str, str] | None = None

    def index(self, names: dict[str, str]) -> int:
        key = frozenset(names.items())
        found = self.known.get(key)
        if found is not None:
            return found
        base = -1
        add = names
        drop: list[str] = []
        if self.last is not None:
            previous = self.last
            changed = {name: text for name, text in names.items() if previous.get(name) != text}
            gone = sorted(name for name in previous if name not in names)
            if len(changed) + len(gone) < len(names):
                base, add, drop = len(self.completions.scopes) - 1, changed, gone
        self.completions.scopes.append(ScopeDelta(base, dict(sorted(add.items())), drop))
        self.known[key] = len(self.completions.scopes) - 1
        self.last = names
        return self.known[key]


def _names(scope: Scope, constructors: frozenset[str]) -> dict[str, str]:
    """The names an expression reads in `scope` (not the project's type names, which only
    construct values) -> their types as text."""
    return {
        name: _type_text(scope.types.get(name, "Any"))
        for name in scope.mapping
        if name not in constructors
    }


def _type_text(value: Any) -> str:
    text = str(value)
    return "Any" if text == "iterable" or text.startswith("iterable[") else text


def completions(trees: list[tuple[Tree, Analysis]], project: ProjectInfo) -> Completions:
    result = Completions(
        records={name: dict(fields) for name, fields in sorted(project.records.items())},
        functions=sorted(FUNCTIONS),
    )
    interner = _Interner(result)
    constructors = frozenset(project.type_names)
    for tree, analysis in trees:
        info = tree.graph.info
        workflow = WorkflowCompletions()
        result.workflows[info.definition.id] = workflow
        workflow.settings = interner.index({"input": info.input.class_name})
        for node_id, scope in analysis.scopes.items():
            own = workflow.nodes[node_id] = interner.index(_names(scope, constructors))
            kind = REGISTRY[tree.graph.nodes[node_id].type]
            config = tree.graph.configs[node_id]
            field_scopes: dict[str, Scope] = {
                prefix: found
                for prefix in kind.field_names
                if (found := analysis.field_scopes.get((node_id, prefix))) is not None
            }
            late = analysis.after_body_scopes.get(node_id)
            if late is not None:
                field_scopes.update({prefix: late for prefix in kind.after_body_fields})
            for prefix, field_scope in sorted(field_scopes.items()):
                if not _filled(config, prefix):
                    continue  # listed once the field holds something, at the next check
                index = interner.index(_names(field_scope, constructors))
                if index != own:
                    workflow.fields.setdefault(node_id, {})[prefix] = index
    return result


def _filled(config: Any, prefix: str) -> bool:
    """Whether the config field a prefix (`config.compensation`) names holds anything."""
    return bool(getattr(config, prefix.removeprefix("config.").split(".")[0], None))

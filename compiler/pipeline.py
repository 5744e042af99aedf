"""The compiler's public entry points: load -> check -> structure -> render -> format -> emit."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from compiler.check import check_project
from compiler.diagnostics import Codes, Diagnostic, has_errors
from compiler.distribution import render_distribution
from compiler.document import Project
from compiler.emit import remap, strip_markers
from compiler.expression_types import Environment, Type, check_types
from compiler.expressions import ExpressionError, parse_template
from compiler.format import FormatError, format_sources
from compiler.generated_names import reserved_code_names
from compiler.load import load_project
from compiler.project_info import ProjectInfo
from compiler.render import render_files, sourcemap_json
from compiler.scopes import Analysis, analyse
from compiler.structure import Tree, structure_workflow

T = TypeVar("T")


@dataclass
class CompileResult:
    project: Project | None
    diagnostics: list[Diagnostic]
    files: dict[str, str] = field(default_factory=dict)
    """path (under `<package>/`) -> text; empty when there are errors."""
    root_files: dict[str, str] = field(default_factory=dict)
    """path beside the package folder (`pyproject.toml`, `Dockerfile`, `README.md`) -> text:
    with `files` under `<package>/`, a folder that installs and deploys on its own."""
    sourcemap: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """workflow id -> node id -> {file, start, end} (1-based, inclusive lines)."""
    package: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def run(self, stage: str, action: Callable[..., T], *args: Any) -> T:
        began = time.perf_counter()
        try:
            return action(*args)
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - began


def check_document(source: str | bytes | dict[str, Any] | Project) -> CompileResult:
    """Every diagnostic of a document, without rendering anything."""
    result, _trees, _info = _analyse(source, _Clock())
    return result


def _analyse(
    source: str | bytes | dict[str, Any] | Project, clock: _Clock
) -> tuple[CompileResult, list[tuple[Tree, Analysis]], ProjectInfo | None]:
    project, diagnostics = clock.run("load", load_project, source)
    if project is None:
        return CompileResult(None, diagnostics, timings=clock.timings), [], None
    info, graphs, found = clock.run("check", check_project, project)
    diagnostics += found
    trees: list[tuple[Tree, Analysis]] = []
    for graph in graphs:
        tree, found = clock.run("structure", structure_workflow, graph)
        diagnostics += found
        if tree is None:
            continue
        analysis, found = clock.run("check", analyse, tree, info)
        diagnostics += found
        trees.append((tree, analysis))
    if info is not None:
        diagnostics += _check_id_templates(info)
    diagnostics.sort(key=lambda d: (d.workflow_id or "", d.node_id or "", d.edge_id or "", d.code))
    result = CompileResult(project, diagnostics, package=info.package, timings=clock.timings)
    return result, trees, info


def _check_id_templates(info: ProjectInfo) -> list[Diagnostic]:
    """A workflow's id template is filled before the workflow runs: it reads `input` alone."""
    found: list[Diagnostic] = []
    for wf in info.workflows.values():
        template = wf.definition.settings.id_template
        if not template:
            continue
        try:
            tree = parse_template(template)
        except ExpressionError:
            continue  # reported by the check stage
        environment = Environment(
            names={"input": Type("record", name=wf.input.class_name)},
            records=info.records,
            constructors=frozenset(info.type_names),
            taken=frozenset(reserved_code_names(info)),
            explain_unknown=lambda name: (
                f"the workflow id is made before the workflow runs, so it can only use "
                f"'input'; {name!r} is not available"
            ),
        )
        try:
            check_types(tree, environment, template)
        except ExpressionError as error:
            found.append(
                Diagnostic(
                    error.code,
                    str(error),
                    workflow_id=wf.definition.id,
                    field="settings.id_template",
                )
            )
    return found


def _internal(details: str) -> Diagnostic:
    return Diagnostic(
        Codes.INTERNAL,
        "the compiler failed to generate code for this document, which is a bug in the "
        f"compiler; please report it with the document. Details: {details[:500]}",
    )


def compile_project(source: str | bytes | dict[str, Any] | Project) -> CompileResult:
    """Generated files and source map for a document, or the diagnostics that prevent them."""
    clock = _Clock()
    result, trees, info = _analyse(source, clock)
    if not result.ok or info is None:
        return result
    try:
        rendered = clock.run("render", lambda: list(render_files(info, trees)))
        beside = clock.run("render", render_distribution, info, trees)
    except Exception as error:  # noqa: BLE001 - a template bug must not surface as a traceback
        result.diagnostics.append(_internal(f"{type(error).__name__}: {error}"))
        return result
    module_workflow = {
        f"workflows/{tree.graph.info.module}.py": tree.graph.info.definition.id for tree, _ in trees
    }
    raw = {path: text for path, text, _markers in rendered}
    try:
        formatted = clock.run("format", format_sources, raw, info.package)
    except FormatError as error:
        # a template produced code that does not parse: a compiler bug, reported, not raised
        result.diagnostics.append(_internal(str(error)))
        return result
    except (OSError, UnicodeError) as error:
        result.diagnostics.append(_internal(f"{type(error).__name__}: {error}"))
        return result

    def emit() -> dict[str, str]:
        stripped: dict[str, str] = {}
        for path, _text, markers in rendered:
            stripped[path], ranges = strip_markers(
                formatted[path], markers, f"{info.package}/{path}"
            )
            if ranges:
                result.sourcemap[module_workflow[path]] = ranges
        return stripped

    stripped = clock.run("emit", emit)
    # removing the markers can leave blank lines ruff would not: format once more, move the map
    final = clock.run("format", format_sources, stripped, info.package)
    for path, text in final.items():
        workflow_id = module_workflow.get(path)
        if workflow_id in result.sourcemap:
            result.sourcemap[workflow_id] = remap(
                result.sourcemap[workflow_id], stripped[path], text
            )
    result.files.update(final)
    result.files["sourcemap.json"] = sourcemap_json(result.sourcemap)
    result.root_files.update(beside)
    return result

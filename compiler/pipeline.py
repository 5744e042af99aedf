"""The compiler's public entry points: load -> check -> structure -> render -> format -> emit."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from compiler.check import check_project
from compiler.compat import Choices, Deprecations, Guards, compatible
from compiler.completions import Completions, completions
from compiler.distribution import render_distribution
from compiler.emit import strip_markers
from compiler.explain import explain
from compiler.format import FormatError, format_sources
from compiler.generated_tests import render_tests
from compiler.render import render_files, sourcemap_json
from compiler.scopes import Analysis, analyse
from compiler.structure import Tree, structure_workflow
from language.diagnostics import Codes, Diagnostic, has_errors
from language.document import Project
from language.expression_types import Environment, Type, check_types
from language.expressions import ExpressionError
from language.load import load_project
from node_types.generated_names import reserved_code_names
from node_types.project_info import ProjectInfo


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
    completions: Completions | None = None
    """The names in scope at each node and their types, when asked for."""

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


class _Clock:
    """Seconds spent in each stage: `with clock("render"): ...` adds the block's time."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - began


def check_document(
    source: str | bytes | dict[str, Any] | Project, *, with_completions: bool = False
) -> CompileResult:
    """Every diagnostic of a document, without rendering anything; `with_completions` also
    lists the names in scope at each node, with their types (`compiler.completions`)."""
    clock = _Clock()
    result, trees, info = _analyse(source, clock)
    if with_completions and info is not None:
        with clock("completions"):
            result.completions = completions(trees, info)
    return result


def _analyse(
    source: str | bytes | dict[str, Any] | Project,
    clock: _Clock,
    choices: Choices | None = None,
) -> tuple[CompileResult, list[tuple[Tree, Analysis]], ProjectInfo | None]:
    with clock("load"):
        project, diagnostics = load_project(source)
    if project is None:
        return CompileResult(None, diagnostics, timings=clock.timings), [], None
    earlier = {
        workflow_id: {node_id: choice.before for node_id, choice in nodes.items()}
        for workflow_id, nodes in (choices or {}).items()
    }
    with clock("check"):
        info, graphs, found = check_project(project, earlier)
    diagnostics += found
    trees: list[tuple[Tree, Analysis]] = []
    for graph in graphs:
        with clock("structure"):
            tree, found = structure_workflow(graph)
        diagnostics += found
        if tree is None:
            continue
        with clock("check"):
            analysis, found = analyse(tree, info)
        diagnostics += found
        trees.append((tree, analysis))
    if info is not None:
        diagnostics += _check_id_templates(info)
    diagnostics = [_old_expression(d) for d in diagnostics]
    diagnostics.sort(key=lambda d: (d.workflow_id or "", d.node_id or "", d.edge_id or "", d.code))
    diagnostics = explain(diagnostics, project)
    result = CompileResult(project, diagnostics, package=info.package, timings=clock.timings)
    return result, trees, info


def _old_expression(diagnostic: Diagnostic) -> Diagnostic:
    """A diagnostic about an old expression a patch keeps (field `before.<port>`) said so."""
    if not (diagnostic.field or "").startswith("before."):
        return diagnostic
    port = (diagnostic.field or "").removeprefix("before.")
    return dataclasses.replace(
        diagnostic,
        field="config",
        message=(
            f"the old version's expression for the {port!r} port, kept for executions "
            f"started before the change, does not check here: {diagnostic.message}; "
            "deploy this version beside the old one"
        ),
    )


def _check_id_templates(info: ProjectInfo) -> list[Diagnostic]:
    """A workflow's id template is filled before the workflow runs: it reads `input` alone."""
    found: list[Diagnostic] = []
    for wf in info.workflows.values():
        tree = wf.id_template
        if tree is None:
            continue  # none, or one that does not parse: reported by the check stage
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
            check_types(tree, environment, wf.definition.settings.id_template)
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


def _compatible(
    source: str | bytes | dict[str, Any] | Project,
    old_source: str | bytes | dict[str, Any] | Project,
) -> tuple[Project, Guards, Choices] | CompileResult:
    """The new project merged with what the old one needs kept, or why it cannot be."""
    new, diagnostics = load_project(source)
    old, old_diagnostics = load_project(old_source)
    if new is None or old is None:
        old_diagnostics = [
            dataclasses.replace(d, message=f"the old version: {d.message}") for d in old_diagnostics
        ]
        return CompileResult(new, diagnostics + old_diagnostics)
    found = compatible(old, new)
    if found.problems:
        return CompileResult(new, diagnostics + found.problems)
    return found.project, found.guards, found.choices


def _internal(details: str) -> Diagnostic:
    return Diagnostic(
        Codes.INTERNAL,
        "the compiler failed to generate code for this document, which is a bug in the "
        f"compiler; please report it with the document. Details: {details[:500]}",
    )


def compile_project(
    source: str | bytes | dict[str, Any] | Project,
    compatible_with: str | bytes | dict[str, Any] | Project | None = None,
    *,
    deprecated: Deprecations | None = None,
    tests: bool = False,
) -> CompileResult:
    """Generated files and source map for a document, or the diagnostics that prevent them.

    With `tests`, `root_files` also holds `tests/` (`compiler.generated_tests`): pytest run
    beside the package runs each workflow on a local Temporal dev server.

    With `compatible_with` (the version running executions started on), the steps the new
    version adds or removes are guarded by patches (`compiler.compat`), so those executions
    still replay; a change no patch can guard is a diagnostic. `deprecated` names the patches
    an earlier version guarded whose old path no execution needs any more: the code calls
    `workflow.deprecate_patch` where that version asked for them."""
    clock = _Clock()
    guards: Guards = {}
    choices: Choices = {}
    if compatible_with is not None:
        merged = _compatible(source, compatible_with)
        if isinstance(merged, CompileResult):
            return merged
        source, guards, choices = merged
    result, trees, info = _analyse(source, clock, choices)
    if not result.ok or info is None:
        return result
    try:
        with clock("render"):
            rendered = list(render_files(info, trees, guards, deprecated, choices))
            beside = render_distribution(info, trees, tests=tests)
            if tests:
                beside.update(render_tests(info, trees))
    except Exception as error:  # a template bug must not surface as a traceback
        result.diagnostics.append(_internal(f"{type(error).__name__}: {error}"))
        return result
    module_workflow = {
        f"workflows/{tree.graph.info.module}.py": tree.graph.info.definition.id for tree, _ in trees
    }
    raw = {path: text for path, text, _markers in rendered}
    try:
        with clock("format"):
            formatted = format_sources(raw, info.package)
    except FormatError as error:
        # a template produced code that does not parse: a compiler bug, reported, not raised
        result.diagnostics.append(_internal(str(error)))
        return result
    except (OSError, UnicodeError) as error:
        result.diagnostics.append(_internal(f"{type(error).__name__}: {error}"))
        return result
    with clock("emit"):
        for path, _text, markers in rendered:
            text, ranges = strip_markers(formatted[path], markers, f"{info.package}/{path}")
            result.files[path] = text
            if ranges:
                result.sourcemap[module_workflow[path]] = ranges
    result.files["sourcemap.json"] = sourcemap_json(result.sourcemap)
    result.root_files.update(beside)
    return result

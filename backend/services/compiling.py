"""Diagnostics and generated code for a posted project document."""

from __future__ import annotations

import dataclasses
import io
import zipfile

from backend.errors import Invalid
from backend.models import (
    CompilePublic,
    CompletionsPublic,
    DiagnosticPublic,
    SourceRange,
    ValidatePublic,
)
from compiler import CompileResult, check_document, compile_project
from language.document import Project
from node_types import catalogue
from node_types.base import CatalogueEntry

# fixed timestamps keep the archive byte-identical for the same document
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def node_types() -> list[CatalogueEntry]:
    return catalogue()


def validate(document: Project) -> ValidatePublic:
    result = check_document(document, with_completions=True)
    completions = None
    if result.completions is not None:
        completions = CompletionsPublic.model_validate(dataclasses.asdict(result.completions))
    return ValidatePublic(
        ok=result.ok,
        diagnostics=[DiagnosticPublic.of(d) for d in result.diagnostics],
        completions=completions,
    )


def compile_document(document: Project) -> CompileResult:
    result = compile_project(document)
    if not result.ok:
        raise Invalid("the project has errors, so it cannot be compiled", result.diagnostics)
    return result


def as_json(result: CompileResult) -> CompilePublic:
    return CompilePublic(
        package=result.package,
        files=result.files,
        sourcemap={
            workflow: {node: SourceRange.model_validate(where) for node, where in ranges.items()}
            for workflow, ranges in result.sourcemap.items()
        },
        diagnostics=[DiagnosticPublic.of(d) for d in result.diagnostics],
    )


def as_zip(result: CompileResult) -> bytes:
    """The package folder `<package>/...` and the files beside it (`pyproject.toml`,
    `Dockerfile`, `README.md`): unpacked, a folder that installs and deploys on its own."""
    files = {f"{result.package}/{path}": text for path, text in result.files.items()}
    files.update(result.root_files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, text in sorted(files.items()):
            entry = zipfile.ZipInfo(path, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, text)
    return buffer.getvalue()

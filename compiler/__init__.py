"""The compiler: graph document -> diagnostics -> structured tree -> formatted Temporal code."""

from compiler.pipeline import CompileResult, check_document, compile_project
from language.diagnostics import Diagnostic, Severity

__all__ = ["CompileResult", "Diagnostic", "Severity", "check_document", "compile_project"]

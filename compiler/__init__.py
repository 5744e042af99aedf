"""The compiler: graph document -> diagnostics -> structured tree -> formatted Temporal code."""

from compiler.diagnostics import Diagnostic, Severity
from compiler.pipeline import CompileResult, check_document, compile_project

__all__ = ["CompileResult", "Diagnostic", "Severity", "check_document", "compile_project"]

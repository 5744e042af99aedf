"""Rewrites the `expected/` folder of every golden case from the current compiler.

Run it from the repository root after a change to the generated code, then read the diff:

    .venv/bin/python -m tests.update_golden
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from compiler import CompileResult, compile_project

GOLDEN = Path(__file__).parent / "golden"
COMMAND = ".venv/bin/python -m tests.update_golden"


def case_folders() -> list[Path]:
    """Every golden case: a folder under tests/golden holding a `project.json`."""
    return sorted(path.parent for path in GOLDEN.glob("*/project.json"))


def compile_case(case: Path) -> CompileResult:
    return compile_project((case / "project.json").read_text(encoding="utf-8"))


def expected_files(case: Path) -> dict[str, bytes]:
    """Path inside the package -> the bytes kept in the case's `expected/` folder."""
    root = case / "expected"
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def user_modules(case: Path) -> list[Path]:
    """The user's own code a case's `python` implementations import, kept beside its project."""
    return sorted(case.glob("*.py"))


def write_expected(case: Path, files: dict[str, str]) -> None:
    root = case / "expected"
    if root.exists():
        shutil.rmtree(root)
    for relative, text in sorted(files.items()):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


def main() -> int:
    status = 0
    for case in case_folders():
        result = compile_case(case)
        if not result.ok:
            print(
                f"{case.name}: does not compile; its expected/ is left as it was", file=sys.stderr
            )
            for diagnostic in result.diagnostics:
                print(f"    {diagnostic.format()}", file=sys.stderr)
            status = 1
            continue
        write_expected(case, result.files)
        print(f"{case.name}: wrote {len(result.files)} files to {case / 'expected'}")
    return status


if __name__ == "__main__":
    sys.exit(main())

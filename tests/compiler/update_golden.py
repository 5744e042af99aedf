"""Rewrites the `expected/` and `expected_root/` folders of every golden case from the current
compiler: the package's files, and the files beside it (`pyproject.toml`, `Dockerfile`, ...).

Run it from the repository root after a change to the generated code, then read the diff:

    .venv/bin/python -m tests.compiler.update_golden
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from compiler import CompileResult, compile_project

GOLDEN = Path(__file__).parent / "golden"
COMMAND = ".venv/bin/python -m tests.compiler.update_golden"
PACKAGE_FOLDER = "expected"
ROOT_FOLDER = "expected_root"


def case_folders() -> list[Path]:
    """Every golden case: a folder under tests/compiler/golden holding a `project.json`."""
    return sorted(path.parent for path in GOLDEN.glob("*/project.json"))


DEPLOYED = "deployed.json"
"""Beside a case's `project.json`: the version running executions started on; the case is
compiled compatible with it (`wfd compile --compatible-with`), its changes patched."""


def compile_case(case: Path) -> CompileResult:
    deployed = case / DEPLOYED
    return compile_project(
        (case / "project.json").read_text(encoding="utf-8"),
        compatible_with=deployed.read_text(encoding="utf-8") if deployed.exists() else None,
    )


def generated_files(result: CompileResult) -> dict[str, str]:
    """Path inside the case folder -> text: the package's files under `expected/`, the files
    beside the package under `expected_root/`."""
    files = {f"{PACKAGE_FOLDER}/{path}": text for path, text in result.files.items()}
    files.update({f"{ROOT_FOLDER}/{path}": text for path, text in result.root_files.items()})
    return files


def expected_files(case: Path) -> dict[str, bytes]:
    """Path inside the case folder -> the bytes kept in its `expected/` and `expected_root/`."""
    return {
        path.relative_to(case).as_posix(): path.read_bytes()
        for folder in (PACKAGE_FOLDER, ROOT_FOLDER)
        for path in sorted((case / folder).rglob("*"))
        if path.is_file()
    }


def user_modules(case: Path) -> list[Path]:
    """The user's own code a case's `python` implementations import, kept beside its project."""
    return sorted(case.glob("*.py"))


def write_expected(case: Path, files: dict[str, str]) -> None:
    for folder in (PACKAGE_FOLDER, ROOT_FOLDER):
        if (case / folder).exists():
            shutil.rmtree(case / folder)
    for relative, text in sorted(files.items()):
        target = case / relative
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
        files = generated_files(result)
        write_expected(case, files)
        print(f"{case.name}: wrote {len(files)} files to {case}")
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Golden cases: representative graphs compile to exactly the files kept beside them.

Each folder under tests/compiler/golden holds a `project.json` (and, for a case compiled
compatible with a deployed version, its `deployed.json`) and, in `expected/`, every
file the compiler generated for it when the output was last reviewed, and in `expected_root/`
the files written beside the package. The generated package must also pass ruff and
`mypy --strict`, run on a copy in a temporary folder.
"""

from __future__ import annotations

import difflib
import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler import CompileResult
from compiler.format import format_sources
from tests.compiler.update_golden import (
    COMMAND,
    case_folders,
    compile_case,
    expected_files,
    generated_files,
    user_modules,
)
from tests.support.package_check import mypy_command, ruff_command

CASES = case_folders()
REPOSITORY = Path(__file__).resolve().parents[2]
DIFF_LINES = 80
"""A changed file shows at most this many diff lines; the regenerated files show the rest."""


@functools.cache
def compiled(case: Path) -> CompileResult:
    result = compile_case(case)
    errors = "\n".join(d.format() for d in result.diagnostics)
    assert result.ok, f"golden case {case.name!r} no longer compiles:\n{errors}"
    return result


def write_package(case: Path, folder: Path) -> Path:
    """The case's package under `folder/packages`, its user modules under `folder/user_code`."""
    result = compiled(case)
    packages = folder / "packages"
    for relative, text in result.files.items():
        target = packages / result.package / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    user_code = folder / "user_code"
    user_code.mkdir()
    for module in user_modules(case):
        shutil.copy(module, user_code / module.name)
    return packages


def check_package(
    case: Path, command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> None:
    """Runs a checker on a generated package; its report becomes the failure when it objects."""
    outcome = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if outcome.returncode != 0:
        document = case.relative_to(REPOSITORY) / "project.json"
        pytest.fail(
            f"{Path(command[0]).name} rejects the package generated for golden case {case.name!r} "
            f"(exit {outcome.returncode}):\n{outcome.stdout}{outcome.stderr}\n"
            f"See the code: .venv/bin/wfd compile {document} -o OUT\n",
            pytrace=False,
        )


def describe_change(path: str, expected: bytes, actual: bytes) -> str:
    diff = list(
        difflib.unified_diff(
            expected.decode("utf-8", errors="replace").splitlines(keepends=True),
            actual.decode("utf-8", errors="replace").splitlines(keepends=True),
            fromfile=path,
            tofile=f"generated: {path}",
        )
    )
    if len(diff) > DIFF_LINES:
        diff = [*diff[:DIFF_LINES], f"... {len(diff) - DIFF_LINES} more diff lines\n"]
    return "".join(line if line.endswith("\n") else line + "\n" for line in diff)


def test_the_golden_cases_are_all_there() -> None:
    assert len(CASES) >= 5, (
        f"expected at least five golden cases in tests/compiler/golden, found {CASES}"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_generated_files_match_the_expected_ones(case: Path) -> None:
    result = compiled(case)
    actual = {path: text.encode("utf-8") for path, text in generated_files(result).items()}
    expected = expected_files(case)
    problems = [
        f"{path}: expected but no longer generated\n" for path in sorted(expected.keys() - actual)
    ]
    problems += [f"{path}: generated but not kept\n" for path in sorted(actual.keys() - expected)]
    problems += [
        describe_change(path, expected[path], actual[path])
        for path in sorted(expected.keys() & actual.keys())
        if expected[path] != actual[path]
    ]
    if problems:
        pytest.fail(
            f"golden case {case.name!r} no longer compiles to its expected files:\n\n"
            + "\n".join(problems)
            + "\nIf the change is intended, regenerate every golden case and review the diff:\n"
            + f"    {COMMAND}\n",
            pytrace=False,
        )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_generated_package_passes_ruff(case: Path, tmp_path: Path) -> None:
    packages = write_package(case, tmp_path)
    check_package(case, ruff_command(compiled(case).package, packages), cwd=packages)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_generated_modules_are_as_the_formatter_leaves_them(case: Path) -> None:
    """The compiler formats once, before it takes its node markers out; what it writes must
    still be what the formatter would write."""
    result = compiled(case)
    modules = {path: text for path, text in result.files.items() if path.endswith(".py")}
    formatted = format_sources(modules, result.package)
    changed = [path for path, text in modules.items() if formatted[path] != text]
    assert changed == [], "\n".join(
        difflib.unified_diff(
            modules[changed[0]].splitlines(), formatted[changed[0]].splitlines(), lineterm=""
        )
    )


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for every case: temporalio is analysed once, not once per case."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_generated_package_passes_mypy_strict(case: Path, tmp_path: Path, mypy_cache: Path) -> None:
    packages = write_package(case, tmp_path)
    check_package(
        case,
        mypy_command(compiled(case).package, mypy_cache),
        cwd=packages,
        env={**os.environ, "MYPYPATH": str(tmp_path / "user_code")},
    )

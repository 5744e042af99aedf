"""Checking a generated package as its users would: ruff with the settings the compiler ships
in the package (`compiler.format.ruff_settings`, one source for them), and mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from compiler.format import ruff_settings

TOOLS = Path(sys.executable).parent


def ruff_command(package: str, folder: Path) -> list[str]:
    """`ruff check` of `folder/package` with the package's own settings (written beside it)."""
    config = folder / "ruff.toml"
    config.write_text(ruff_settings(package), encoding="utf-8")
    return [str(TOOLS / "ruff"), "check", "--no-cache", "--config", str(config), package]


def mypy_command(package: str, cache: Path) -> list[str]:
    """`mypy --strict` of a package, ignoring the project's own mypy settings; `cache` may be
    shared by several checks (temporalio is then analysed once)."""
    return [
        str(TOOLS / "mypy"),
        "--config-file=",
        "--strict",
        "--python-version",
        "3.11",
        "--cache-dir",
        str(cache),
        package,
    ]


def run_checker(command: list[str], cwd: Path) -> None:
    outcome = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert outcome.returncode == 0, f"{Path(command[0]).name}:\n{outcome.stdout}{outcome.stderr}"


def ruff_and_mypy(package: str, folder: Path, cache: Path) -> None:
    """The package under `folder` passes ruff and mypy --strict."""
    run_checker(ruff_command(package, folder), folder)
    run_checker(mypy_command(package, cache), folder)

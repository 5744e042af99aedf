"""The product's layers import only downward: the document language (`language`) imports none
of the others, the node kinds (`node_types`) only the language, the compiler only those two;
the backend and the CLI sit on top. Each floor imports on its own in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOORS = ["language", "node_types", "compiler", "backend", "wfd"]
"""Lowest first: a package may import those before it, never those after."""


def imported_packages(path: Path) -> set[str]:
    """The product packages a module imports, anywhere in it (type-checking imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(FLOORS)


@pytest.mark.parametrize("package", FLOORS[:3])
def test_a_floor_imports_only_the_floors_below(package: str) -> None:
    above = set(FLOORS[FLOORS.index(package) + 1 :])
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & above)
        for path in sorted((ROOT / package).rglob("*.py"))
        if imported_packages(path) & above
    }
    assert wrong == {}, f"{package} imports from a floor above it: {wrong}"


@pytest.mark.parametrize("package", FLOORS)
def test_each_floor_imports_on_its_own(package: str) -> None:
    outcome = subprocess.run(
        [sys.executable, "-c", f"import {package}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert outcome.returncode == 0, outcome.stderr

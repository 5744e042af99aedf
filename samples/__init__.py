"""The sample projects: real orchestration systems drawn as graphs, seeded by `wfd seed`.

Each module of this package (other than `builder`) defines `build() -> dict`, one project
document.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any


def builders() -> dict[str, Callable[[], dict[str, Any]]]:
    """module name -> its `build` function, in name order."""
    found: dict[str, Callable[[], dict[str, Any]]] = {}
    for module_info in sorted(
        pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name
    ):
        if module_info.name.startswith("_") or module_info.name == "builder":
            continue
        module = importlib.import_module(f"samples.{module_info.name}")
        build = getattr(module, "build", None)
        if callable(build):
            found[module_info.name] = build
    return found


def documents() -> list[dict[str, Any]]:
    """Every sample project document."""
    return [build() for build in builders().values()]

"""The registry of node kinds. Each module in this package defines one kind as `KIND`."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

from node_types.base import CatalogueEntry, NodeType

TEMPLATE_DIR = Path(__file__).parent


def _discover() -> dict[str, NodeType[Any]]:
    found: dict[str, NodeType[Any]] = {}
    for module_info in sorted(pkgutil.iter_modules([str(TEMPLATE_DIR)]), key=lambda m: m.name):
        if module_info.name.startswith("_") or module_info.name == "base":
            continue
        module = importlib.import_module(f"node_types.{module_info.name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, NodeType):
            found[kind.kind] = kind
    return found


REGISTRY: dict[str, NodeType[Any]] = _discover()


def catalogue() -> list[CatalogueEntry]:
    return [REGISTRY[kind].catalogue_entry() for kind in sorted(REGISTRY)]

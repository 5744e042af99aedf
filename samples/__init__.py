"""The sample projects: real orchestration systems drawn as graphs, seeded by `wfd seed`.

Each is a project document, `<project id>.json` in this folder, kept in the canonical form of
`compiler.document_json` (the editor opens them like any other project). Tests that run a
sample scale its waits with `tests.support.samples`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent


def paths() -> list[Path]:
    """Every sample's file, in name order."""
    return sorted(FOLDER.glob("*.json"))


def names() -> list[str]:
    """Every sample's project id, in name order."""
    return [path.stem for path in paths()]


def load(name: str) -> dict[str, Any]:
    """The sample project whose id is `name`."""
    path = FOLDER / f"{name}.json"
    if path.parent != FOLDER or not path.is_file():
        raise KeyError(f"no sample {name!r}; the samples are {', '.join(names())}")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def documents() -> list[dict[str, Any]]:
    """Every sample project document, in name order."""
    return [load(name) for name in names()]

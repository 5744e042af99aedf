"""Stage 6: turn the markers into a source map, drop them, and return `{path: text}`."""

from __future__ import annotations

import re
import secrets
from typing import Any

KEY = secrets.token_hex(8)
"""Part of every marker, drawn when the compiler is loaded: text from a document (a label in a
docstring, a description) cannot write a line that reads as a marker without knowing it."""
BEGIN = f"# @wfd-{KEY}-begin "
END = f"# @wfd-{KEY}-end "
_MARKER = re.compile(rf"^\s*# @wfd-{KEY}-(begin|end) (\d+)\s*$")

Ranges = dict[str, dict[str, Any]]


def strip_markers(text: str, markers: list[str], path: str) -> tuple[str, Ranges]:
    """Text without marker lines, and node id -> {file, start, end} (1-based, inclusive).

    The text comes formatted, and leaves formatted: where a removed marker leaves blank lines
    side by side they are reduced to what the formatter allows there (one inside a block, two
    at the top level, none at the end), and where it leaves a nested function right under an
    `if`, `try` or other statement opening its block, the formatter's blank line goes in
    between."""
    kept: list[str] = []
    found: list[tuple[int, str, int]] = []
    """(lines kept before it, begin or end, marker index) of each marker line."""
    for line in text.splitlines():
        match = _MARKER.match(line)
        if match is None or int(match.group(2)) >= len(markers):
            kept.append(line)
        else:
            found.append((len(kept), match.group(1), int(match.group(2))))
    removed = {position for position, _, _ in found}
    lines, place = _as_formatted(kept, removed)
    open_at: dict[int, int] = {}
    ranges: Ranges = {}
    for position, kind, index in found:
        at = place[position]
        if kind == "begin":
            open_at[index] = at + 1
        else:
            start = open_at.pop(index, at)
            start, end = _on_code(lines, start, 1), _on_code(lines, max(start, at), -1)
            ranges[markers[index]] = {"file": path, "start": start, "end": max(start, end)}
    return "\n".join(lines) + "\n", ranges


_NESTED_DEF = re.compile(r"\s+(async def |def |class |@)")
_DEF = re.compile(r"\s*(async def |def |class )")
"""A function or class opening its own body: a nested function first in it needs no blank
line (under an `if` or `try` it does)."""


def _as_formatted(kept: list[str], removed: set[int]) -> tuple[list[str], list[int]]:
    """The lines as the formatter leaves them, and for each position of `kept` (and its end)
    how many lines come before it in the result. `removed`: positions where a marker was."""
    lines: list[str] = []
    place: list[int] = []
    position = 0
    while position < len(kept):
        line = kept[position]
        if line.strip():
            if (
                position in removed
                and _NESTED_DEF.match(line)
                and lines
                and lines[-1].rstrip().endswith(":")
                and not _DEF.match(lines[-1])
            ):
                lines.append("")
            place.append(len(lines))
            lines.append(line)
            position += 1
            continue
        run_end = position
        while run_end < len(kept) and not kept[run_end].strip():
            run_end += 1
        # none at the end, one before an indented line, two before a top-level one
        allowed = 0 if run_end == len(kept) else (1 if kept[run_end][:1].isspace() else 2)
        for blank in range(position, run_end):
            place.append(len(lines))
            if blank - position < allowed:
                lines.append("")
        position = run_end
    place.append(len(lines))
    return lines, place


def _on_code(lines: list[str], line: int, step: int) -> int:
    """The line, or the nearest one in `step`'s direction that is not blank (1-based)."""
    probe = line
    while 0 < probe <= len(lines) and not lines[probe - 1].strip():
        probe += step
    return probe if 0 < probe <= len(lines) else max(1, min(line, len(lines)))

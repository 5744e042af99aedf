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

_LOOKAHEAD = 50
"""How far on a line may have moved: the second formatting only adds or removes blank lines."""


def strip_markers(text: str, markers: list[str], path: str) -> tuple[str, Ranges]:
    """Text without marker lines, and node id -> {file, start, end} (1-based, inclusive)."""
    lines: list[str] = []
    open_at: dict[int, int] = {}
    ranges: Ranges = {}
    for line in text.splitlines():
        match = _MARKER.match(line)
        if match is None or int(match.group(2)) >= len(markers):
            lines.append(line)
            continue
        index = int(match.group(2))
        if match.group(1) == "begin":
            open_at[index] = len(lines) + 1
        else:
            start = open_at.pop(index, len(lines))
            ranges[markers[index]] = {"file": path, "start": start, "end": max(start, len(lines))}
    return "\n".join(lines) + "\n", ranges


def remap(ranges: Ranges, before: str, after: str) -> Ranges:
    """Line ranges moved from `before` to `after`, a reformatting that only moved blank lines.

    Lines are matched in order (the same text, a few lines on at most), so this is linear in
    the size of the module, whatever the number of nodes."""
    old, new = before.splitlines(), after.splitlines()
    mapping: dict[int, int] = {}
    position = 0
    for number, line in enumerate(old, start=1):
        if not line.strip():  # a blank line stays only where it was
            if position < len(new) and new[position] == line:
                mapping[number] = position + 1
                position += 1
            continue
        for probe in range(position, min(len(new), position + _LOOKAHEAD)):
            if new[probe] == line:
                mapping[number] = probe + 1
                position = probe + 1
                break

    def moved(line: int, step: int) -> int:
        """The line's place in `after`, or of the nearest line in `step`'s direction that has
        one, then on past blank lines: a range starts and ends on code."""
        probe = line
        while (probe not in mapping or not old[probe - 1].strip()) and 0 < probe <= len(old):
            probe += step
        return mapping.get(probe, max(1, min(line, len(new))))

    moved_ranges = {}
    for node_id, where in ranges.items():
        start, end = moved(where["start"], 1), moved(where["end"], -1)
        moved_ranges[node_id] = {**where, "start": start, "end": max(start, end)}
    return moved_ranges

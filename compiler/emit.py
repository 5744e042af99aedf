"""Stage 6: turn the markers into a source map, drop them, and return `{path: text}`."""

from __future__ import annotations

import difflib
import re
from typing import Any

_MARKER = re.compile(r"^\s*# @wfd-(begin|end) (\d+)\s*$")

Ranges = dict[str, dict[str, Any]]


def strip_markers(text: str, markers: list[str], path: str) -> tuple[str, Ranges]:
    """Text without marker lines, and node id -> {file, start, end} (1-based, inclusive)."""
    lines: list[str] = []
    open_at: dict[int, int] = {}
    ranges: Ranges = {}
    for line in text.splitlines():
        match = _MARKER.match(line)
        if match is None:
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
    """Line ranges moved from `before` to `after`, a reformatting that only moved blank lines."""
    old, new = before.splitlines(), after.splitlines()
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, old_start, old_end, new_start, _new_end in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(old_end - old_start):
                mapping[old_start + offset + 1] = new_start + offset + 1

    def moved(line: int, step: int) -> int:
        probe = line
        while probe not in mapping and 0 < probe <= len(old):
            probe += step
        return mapping.get(probe, max(1, min(line, len(new))))

    return {
        node_id: {**where, "start": moved(where["start"], 1), "end": moved(where["end"], -1)}
        for node_id, where in ranges.items()
    }

"""Durations in the graph are strings like `30s`, `5m`, `1h30m`, `2d` or `250ms`."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(text: str | float | int) -> float:
    """Seconds in a duration; raises ValueError with a message fit for a diagnostic."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration")
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        compact = text.replace(" ", "").lower()
        if re.fullmatch(r"\d+(\.\d+)?", compact):
            seconds = float(compact)
        else:
            parts = _PART.findall(compact)
            if not parts or "".join(n + u for n, u in parts) != compact:
                raise ValueError(
                    f"{text!r} is not a duration; write it like '30s', '5m', '1h30m' or '2d'"
                )
            seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds < 0 or seconds > 10 * 365 * 86400:
        raise ValueError(f"{text!r} is out of range; use between 0 seconds and 10 years")
    return seconds


def timedelta_code(seconds: float) -> str:
    """`timedelta(...)` source for a number of seconds, in the largest unit that divides it."""
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size and seconds % size == 0:
            return f"timedelta({unit}={int(seconds // size)})"
    if seconds == int(seconds):
        return f"timedelta(seconds={int(seconds)})"
    return f"timedelta(seconds={seconds!r})"

"""Waits that scale with how busy the machine is, so a loaded CI box waits longer instead of
failing a start-up that was merely slow."""

from __future__ import annotations

import os
import time


def slowness() -> float:
    """How much slower than an idle machine this one is now (at least 1): the load average
    per core."""
    return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


class Patience:
    """A deadline of `seconds` on an idle machine, stretched while the machine is busy: it
    passes once the time waited exceeds `seconds` times the slowness seen at that moment."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.began = time.monotonic()

    @property
    def waited(self) -> float:
        return time.monotonic() - self.began

    def over(self) -> bool:
        return self.waited > self.seconds * slowness()

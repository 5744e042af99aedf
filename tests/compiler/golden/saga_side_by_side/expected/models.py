"""Data types of the saga-side-by-side project: shared types, workflow inputs,
state and payloads.
"""

from dataclasses import dataclass


@dataclass
class BookInput:
    """Input of the book activity."""

    what: str


@dataclass
class CancelInput:
    """Input of the cancel activity."""

    token: str


@dataclass
class InLoopInput:
    """Input of the in-loop workflow."""


@dataclass
class InBranchesInput:
    """Input of the in-branches workflow."""


@dataclass
class InInnerTriesInput:
    """Input of the in-inner-tries workflow."""

"""Data types of the Status polling project: shared types, workflow inputs,
state and payloads.
"""

from dataclasses import dataclass


@dataclass
class CheckReadyInput:
    """Input of the check_ready activity."""

    job: str


@dataclass
class ReadStatusInput:
    """Input of the read_status activity."""

    job: str
    phase: str


@dataclass
class PollByRetryPolicyInput:
    """Input of the poll-by-retry-policy workflow."""

    job: str


@dataclass
class PollPeriodicallyInput:
    """Input of the poll-periodically workflow."""

    job: str
    ready_at: int = 3

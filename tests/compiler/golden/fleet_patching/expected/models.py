"""Data types of the Fleet patching project: shared types, workflow inputs,
state and payloads.
"""

from dataclasses import dataclass, field


@dataclass
class ListHostsInput:
    """Input of the list_hosts activity."""

    region: str


@dataclass
class DrainHostInput:
    """Input of the drain_host activity."""

    host: str


@dataclass
class RestoreHostInput:
    """Input of the restore_host activity."""

    host: str


@dataclass
class PatchHostInput:
    """Input of the patch_host activity."""

    host: str
    version: str


@dataclass
class SmokeTestInput:
    """Input of the smoke_test activity."""

    host: str


@dataclass
class CheckHealthInput:
    """Input of the check_health activity."""

    region: str


@dataclass
class NotifyTeamInput:
    """Input of the notify_team activity."""

    text: str


@dataclass
class PatchFleetState:
    """State of the patch-fleet workflow."""

    patched: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    sweeps: int = 0


@dataclass
class PatchFleetInput:
    """Input of the patch-fleet workflow."""

    region: str
    version: str
    resume_state: PatchFleetState | None = None

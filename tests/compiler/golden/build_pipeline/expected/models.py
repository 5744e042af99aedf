"""Data types of the Package builds project: shared types, workflow inputs,
state and payloads.
"""

from dataclasses import dataclass


@dataclass
class Artifact:
    """A built package file."""

    path: str
    size_bytes: int
    checksum: str


@dataclass
class CheckoutInput:
    """Input of the checkout activity."""

    repo: str
    ref: str


@dataclass
class RunTestsInput:
    """Input of the run_tests activity."""

    commit: str
    suite: str


@dataclass
class BuildArtifactInput:
    """Input of the build_artifact activity."""

    commit: str
    target: str


@dataclass
class PublishInput:
    """Input of the publish activity."""

    path: str
    channel: str


@dataclass
class BuildInput:
    """Input of the build workflow."""

    repo: str
    ref: str
    run_tests: bool
    channel: str
    arch: str


@dataclass
class BuildState:
    """State of the build workflow."""

    commit: str = ""
    failures: int = 0
    stage: str = "queued"
    url: str | None = None

"""Data types of the Daily digest project: shared types, workflow inputs, state
and payloads.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Forecast:
    """What the weather service answers."""

    city: str
    summary: str
    high_c: float
    alerts: list[str]


@dataclass
class FetchForecastInput:
    """Input of the fetch_forecast activity."""

    city: str
    units: str


@dataclass
class PostDigestInput:
    """Input of the post_digest activity."""

    channel: str
    text: str


@dataclass
class DiskReportInput:
    """Input of the disk_report activity."""

    volume: str


@dataclass
class ArchiveInput:
    """Input of the archive activity."""

    folder: str


@dataclass
class CountWordsInput:
    """Input of the count_words activity."""

    text: str


@dataclass
class AskModelInput:
    """Input of the ask_model activity."""

    prompt: str
    model: str


@dataclass
class DigestInput:
    """Input of the digest workflow."""

    city: str
    channel: str
    publish_at: datetime
    tone: str


@dataclass
class DigestState:
    """State of the digest workflow."""

    words: int = 0
    draft: str = ""

"""Data types of the Price quotes project: shared types, workflow inputs, state
and payloads.
"""

from dataclasses import dataclass, field


@dataclass
class FetchPriceInput:
    """Input of the fetch_price activity."""

    supplier: str
    item: str


@dataclass
class CheckStockInput:
    """Input of the check_stock activity."""

    warehouse: str
    item: str


@dataclass
class WarmCacheInput:
    """Input of the warm_cache activity."""

    item: str


@dataclass
class QuoteInput:
    """Input of the quote workflow."""

    item: str


@dataclass
class QuoteState:
    """State of the quote workflow."""

    prices: list[float] = field(default_factory=list)
    in_stock: bool = False
    timed_out: bool = False
    fastest: float | None = None

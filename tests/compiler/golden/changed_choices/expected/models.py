"""Data types of the Dispatch project: shared types, workflow inputs, state and
payloads.
"""

from dataclasses import dataclass


@dataclass
class NotifyOwnerInput:
    """Input of the notify_owner activity."""

    order_id: str


@dataclass
class ReviewByHandInput:
    """Input of the review_by_hand activity."""

    order_id: str


@dataclass
class ShipInput:
    """Input of the ship activity."""

    order_id: str
    carrier: str


@dataclass
class DispatchOrderInput:
    """Input of the dispatch-order workflow."""

    order_id: str
    amount: float
    weight_kg: float
    priority: int

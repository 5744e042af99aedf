"""Data types of the Orders project: shared types, workflow inputs, state and
payloads.
"""

from dataclasses import dataclass, field


@dataclass
class Reservation:
    """Stock held for an order until it is paid or released."""

    reservation_id: str
    total: float


@dataclass
class ReserveStockInput:
    """Input of the reserve_stock activity."""

    order_id: str
    quantity: int


@dataclass
class ChargeCardInput:
    """Input of the charge_card activity."""

    order_id: str
    amount: float


@dataclass
class ReleaseStockInput:
    """Input of the release_stock activity."""

    reservation_id: str


@dataclass
class OrderInput:
    """Input of the order workflow."""

    order_id: str
    quantity: int


@dataclass
class OrderState:
    """State of the order workflow."""

    approved: bool = False
    rejected_reason: str | None = None
    quantity: int = 1
    history: list[str] = field(default_factory=list)


@dataclass
class OrderApproveSignal:
    """Payload of the approve signal."""

    approver: str


@dataclass
class OrderRejectSignal:
    """Payload of the reject signal."""

    reason: str


@dataclass
class OrderChangeQuantityUpdate:
    """Payload of the change_quantity update."""

    quantity: int

"""Data types and activities of the order workflow; each activity returns at once."""

from dataclasses import dataclass

from temporalio import activity


@dataclass
class FulfilOrderInput:
    order_id: str
    quantity: int


@dataclass
class ReserveStockInput:
    order_id: str
    quantity: int


@dataclass
class Reservation:
    reservation_id: str
    total: float


@dataclass
class ChargeCardInput:
    order_id: str
    amount: float


@dataclass
class ShipOrderInput:
    order_id: str
    reservation_id: str


@dataclass
class SendReceiptInput:
    order_id: str
    charge_id: str
    tracking: str


@dataclass
class Receipt:
    order_id: str
    charge_id: str
    tracking: str


@activity.defn
async def reserve_stock(input: ReserveStockInput) -> Reservation:
    return Reservation(reservation_id=f"res-{input.order_id}", total=12.5 * input.quantity)


@activity.defn
async def charge_card(input: ChargeCardInput) -> str:
    return f"charge-{input.order_id}-{input.amount:.2f}"


@activity.defn
async def ship_order(input: ShipOrderInput) -> str:
    return f"track-{input.reservation_id}"


@activity.defn
async def send_receipt(input: SendReceiptInput) -> Receipt:
    return Receipt(order_id=input.order_id, charge_id=input.charge_id, tracking=input.tracking)

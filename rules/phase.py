"""Where an order stands, derived from its facts alone."""

from __future__ import annotations

from enum import StrEnum

from aliwatch.parsers.event import Kind
from aliwatch.rules.state import OrderState


class Phase(StrEnum):
    """Where an order stands, derived from its facts; the public names of `status`."""

    PLACED = "placed"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    PARTLY_SHIPPED = "partly_shipped"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    COMPLETED = "completed"
    CANCELLATION_REQUESTED = "cancellation_requested"
    CANCELLED = "cancelled"
    DISPUTE_OPEN = "dispute_open"
    PROPOSAL_WAITING = "proposal_waiting"
    DISPUTE_ESCALATED = "dispute_escalated"
    DISPUTE_CLOSED = "dispute_closed"
    RETURN_REQUIRED = "return_required"
    REFUNDED = "refunded"


_DISPUTE = (Kind.DISPUTE_OPENED, Kind.SELLER_PROPOSAL, Kind.DISPUTE_ESCALATED, Kind.RETURN_REQUIRED)
_SHIPPING = (Kind.ORDER_SHIPPED, Kind.PARCEL_UPDATE, Kind.PARCEL_DELIVERED)


def phase(state: OrderState) -> Phase:
    """The order's phase, derived from its facts alone: the same mails give the same phase."""
    seen = state.seen
    if seen(Kind.REFUND_ISSUED):
        return Phase.REFUNDED
    if seen(Kind.CANCELLATION_ACCEPTED):
        return Phase.CANCELLED
    if seen(Kind.ORDER_CLOSED):
        return _closed(state)
    if any(seen(k) for k in _DISPUTE) or seen(Kind.DISPUTE_CLOSED):
        return _dispute(state)
    if seen(Kind.CANCELLATION_REQUESTED) and not (
        seen(Kind.CANCELLATION_REJECTED) or any(seen(k) for k in _SHIPPING)
    ):
        return Phase.CANCELLATION_REQUESTED
    if seen(Kind.DELIVERY_CONFIRMED):
        return Phase.COMPLETED
    if seen(Kind.AWAITING_CONFIRMATION):
        return Phase.AWAITING_CONFIRMATION
    return _shipping(state)


def _closed(state: OrderState) -> Phase:
    # "Your order ... is closed" states no reason (real): resolve it from what came before.
    if state.seen(Kind.CANCELLATION_REQUESTED) and not state.seen(Kind.ORDER_SHIPPED):
        return Phase.CANCELLED
    if state.seen(Kind.DISPUTE_CLOSED):
        return Phase.DISPUTE_CLOSED
    return Phase.COMPLETED


def _dispute(state: OrderState) -> Phase:
    # A proposal after a return request is the newer question the buyer must answer.
    if state.after(Kind.RETURN_REQUIRED, Kind.DISPUTE_CLOSED, Kind.SELLER_PROPOSAL):
        return Phase.RETURN_REQUIRED
    if state.after(Kind.DISPUTE_CLOSED, Kind.DISPUTE_OPENED, Kind.SELLER_PROPOSAL):
        return Phase.DISPUTE_CLOSED
    if state.after(Kind.SELLER_PROPOSAL, Kind.DISPUTE_ESCALATED, Kind.DISPUTE_CLOSED):
        return Phase.PROPOSAL_WAITING
    if state.seen(Kind.DISPUTE_ESCALATED):
        return Phase.DISPUTE_ESCALATED
    if state.seen(Kind.DISPUTE_CLOSED):
        return Phase.DISPUTE_CLOSED
    return Phase.DISPUTE_OPEN


def _shipping(state: OrderState) -> Phase:
    parcels = state.parcels.values()
    delivered = [p for p in parcels if p.delivered_at is not None]
    only_partly = state.partial and not state.fully_shipped
    if delivered and len(delivered) == len(parcels) and not only_partly:
        return Phase.DELIVERED
    if (parcels and any(p.stage for p in parcels)) or delivered:
        return Phase.IN_TRANSIT
    if only_partly:
        return Phase.PARTLY_SHIPPED
    if state.seen(Kind.ORDER_SHIPPED):
        return Phase.SHIPPED
    if state.seen(Kind.ORDER_CONFIRMED) or state.seen(Kind.READY_TO_SHIP):
        return Phase.CONFIRMED
    return Phase.PLACED

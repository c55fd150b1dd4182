"""The dates an order must be acted on by, computed from its state and the policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aliwatch.parsers.event import Kind
from aliwatch.rules.alerts import AlertKind
from aliwatch.rules.phase import Phase, phase
from aliwatch.rules.policy import Policy
from aliwatch.rules.state import OrderState


@dataclass(frozen=True, slots=True)
class Deadline:
    """A date by which something must happen; `stated` when a mail gave it, else computed."""

    rule: AlertKind
    due: datetime
    stated: bool = False
    subject: str = ""  # what it is about beyond the order (a parcel id)


_CLOSED = {Phase.COMPLETED, Phase.CANCELLED, Phase.REFUNDED}
_DISPUTE = {
    Phase.DISPUTE_OPEN,
    Phase.PROPOSAL_WAITING,
    Phase.DISPUTE_ESCALATED,
    Phase.RETURN_REQUIRED,
}
_SHIPPED = (Kind.ORDER_SHIPPED, Kind.PARCEL_UPDATE, Kind.PARCEL_DELIVERED)


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def shipped_at(state: OrderState) -> datetime | None:
    """When the order first showed signs of shipping."""
    times = [state.first[k] for k in _SHIPPED if k in state.first]
    return min(times) if times else None


def protection_end(state: OrderState, policy: Policy) -> tuple[datetime, bool] | None:
    """The end of buyer protection (stated, or shipment + protection days) and whether stated."""
    if state.protection_end is not None:
        return state.protection_end, True
    shipped = shipped_at(state)
    return (shipped + _days(policy.protection_days), False) if shipped else None


def deadlines(state: OrderState, policy: Policy) -> list[Deadline]:
    """Every open deadline of the order, earliest first."""
    now_phase = phase(state)
    found: list[Deadline] = []
    last, first = state.last, state.first
    if now_phase is Phase.PROPOSAL_WAITING:
        # Unknown answer time: urgent, daily reminders when the mail states no date.
        stated = state.proposal_deadline
        due = stated or last[Kind.SELLER_PROPOSAL] + policy.proposal_reminder
        found.append(Deadline(AlertKind.PROPOSAL, due, stated=stated is not None))
    end = protection_end(state, policy)
    if end and now_phase not in _CLOSED | _DISPUTE and now_phase is not Phase.DELIVERED:
        found.append(Deadline(AlertKind.PROTECTION, end[0], stated=end[1]))
    window_start = first.get(Kind.DELIVERY_CONFIRMED) or (
        first.get(Kind.ORDER_CLOSED) if now_phase is Phase.COMPLETED else None
    )
    if window_start is None and end and now_phase not in _CLOSED | _DISPUTE:
        window_start = end[0]
    said_by_mail = state.stated
    if window_start is not None and now_phase not in _DISPUTE:
        window_end = (
            said_by_mail.get(Kind.DELIVERY_CONFIRMED) if Kind.DELIVERY_CONFIRMED in first else None
        )
        found.append(
            Deadline(
                AlertKind.DISPUTE_WINDOW,
                window_end or window_start + _days(policy.dispute_window_days),
                stated=window_end is not None,
            )
        )
    if now_phase is Phase.CANCELLATION_REQUESTED:
        said = said_by_mail.get(Kind.CANCELLATION_REQUESTED)
        due = said or first[Kind.CANCELLATION_REQUESTED] + _days(policy.cancel_decision_days)
        found.append(Deadline(AlertKind.CANCEL_DECISION, due, stated=said is not None))
    found.extend(_dispute_deadlines(state, now_phase, policy))
    if now_phase is Phase.CONFIRMED and Kind.ORDER_CONFIRMED in first:
        found.append(
            Deadline(AlertKind.SHIPPING, first[Kind.ORDER_CONFIRMED] + _days(policy.shipping_days))
        )
    if now_phase not in _CLOSED | _DISPUTE:  # in a dispute, tracking is the dispute's evidence
        for parcel in state.parcels.values():
            if parcel.delivered_at is None and parcel.last_update is not None:
                due = parcel.last_update + _days(policy.stall_days)
                found.append(Deadline(AlertKind.STALLED, due, subject=parcel.parcel_id))
    promised = _latest_promise(state)
    if promised is not None and Kind.REFUND_ISSUED not in first:
        found.append(Deadline(AlertKind.REFUND, promised + _days(policy.refund_days)))
    return sorted(found, key=lambda d: (d.due, d.rule.value, d.subject))


def _dispute_deadlines(state: OrderState, now_phase: Phase, policy: Policy) -> list[Deadline]:
    """The seller's time to answer, the next look at a quiet dispute, a return to ship."""
    found = []
    if now_phase is Phase.DISPUTE_OPEN:
        said = state.stated.get(Kind.DISPUTE_OPENED)
        due = said or state.last[Kind.DISPUTE_OPENED] + _days(policy.seller_reply_days)
        found.append(Deadline(AlertKind.SELLER_REPLY, due, stated=said is not None))
    if now_phase in (Phase.DISPUTE_OPEN, Phase.DISPUTE_ESCALATED):
        # The next look at a dispute with no news; `latest` is the newest mail about the order.
        quiet_from = state.latest()
        if quiet_from is not None:
            found.append(Deadline(AlertKind.QUIET, quiet_from + _days(policy.dispute_quiet_days)))
    if now_phase is Phase.RETURN_REQUIRED:
        due = return_due(state, policy)
        found.append(Deadline(AlertKind.RETURN, due, stated=Kind.RETURN_REQUIRED in state.stated))
    return found


def return_due(state: OrderState, policy: Policy) -> datetime:
    """When a requested return must be shipped: the date the mail states, else the policy's."""
    said = state.stated.get(Kind.RETURN_REQUIRED)
    return said or state.last[Kind.RETURN_REQUIRED] + _days(policy.return_days)


def _latest_promise(state: OrderState) -> datetime | None:
    """When a refund was last promised: an accepted cancellation or a closed dispute."""
    times = [
        state.last[k] for k in (Kind.CANCELLATION_ACCEPTED, Kind.DISPUTE_CLOSED) if k in state.last
    ]
    return max(times) if times else None

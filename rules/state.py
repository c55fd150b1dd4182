"""An order's state as a fold over its events, the same whatever order the mails arrive in.

Times merge with min (first seen) and max (latest seen), parcel stages with the furthest one; what
a mail states (a proposal's deadline and amount) follows the latest mail, which `fold` ensures by
sorting. So backfilled, replayed or out-of-order mail gives the same state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from aliwatch.parsers.event import STAGES, Event, Kind, amount_text, utc_text


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


@dataclass(frozen=True, slots=True)
class Parcel:
    """One parcel as far as one order knows it."""

    parcel_id: str
    stage: str | None = None  # furthest stage reported (STAGES order)
    last_update: datetime | None = None
    delivered_at: datetime | None = None

    def merge(self, other: Parcel) -> Parcel:
        """The join of two views of the same parcel."""
        stages = [s for s in (self.stage, other.stage) if s is not None]
        return Parcel(
            self.parcel_id,
            max(stages, key=STAGES.index) if stages else None,
            _latest(self.last_update, other.last_update),
            _earliest(self.delivered_at, other.delivered_at),
        )


@dataclass(frozen=True, slots=True)
class OrderState:
    """Everything the mail has said about one order; times are aware UTC datetimes.

    `first` holds the earliest time each kind of event was seen and `last` the latest one, so
    questions like "was the proposal answered?" compare times instead of trusting arrival order.
    """

    order_id: str
    first: dict[Kind, datetime] = field(default_factory=dict)
    last: dict[Kind, datetime] = field(default_factory=dict)
    parcels: dict[str, Parcel] = field(default_factory=dict)
    partial: bool = False
    fully_shipped: bool = False
    # Stated by the mail (the latest statement wins): deadlines and amounts.
    proposal_deadline: datetime | None = None
    protection_end: datetime | None = None
    # Deadlines a verified mail states for the other rules (a date, or "you have 15 days"),
    # by the kind of mail that stated them; they replace the policy's default periods.
    stated: dict[Kind, datetime] = field(default_factory=dict)
    # (amount as the event's JSON writes it, currency): shown as they are, never computed with.
    paid_amount: tuple[str, str] | None = None
    proposed_amount: tuple[str, str] | None = None
    unverified: frozenset[str] = frozenset()  # Message-IDs of mails that failed authentication
    # Whether the state was folded from authentic mail: once any mail about the order is
    # authentic, only authentic mail makes the state, and the rest is kept apart in `claims`.
    trusted: bool = False
    # The unverified mails (event, sent time): each one can only warn, never move a deadline,
    # change the phase or silence a reminder of a trusted state (docs/aliexpress-mail.md,
    # "Anyone can write From: AliExpress").
    claims: tuple[tuple[Event, datetime], ...] = ()
    latest_mail: str | None = None  # Message-ID of the latest mail the state was folded from
    pressure_at: datetime | None = None  # latest seller message pushing to close or pay outside

    def seen(self, kind: Kind) -> bool:
        """Has any mail of this kind been seen?"""
        return kind in self.first

    def after(self, kind: Kind, *others: Kind) -> bool:
        """Is the latest `kind` newer than every one of `others` (or are they absent)?"""
        when = self.last.get(kind)
        return when is not None and all(
            self.last.get(o) is None or self.last[o] < when for o in others
        )

    def latest(self) -> datetime | None:
        """When the latest mail the state was folded from was sent."""
        return max(self.last.values(), default=None)


def apply(state: OrderState, event: Event, when: datetime) -> OrderState:
    """Merge one event, sent at `when`, into the order's state (events in time order)."""
    kind = event.kind
    first = {**state.first, kind: _earliest(state.first.get(kind), when) or when}
    last = {**state.last, kind: _latest(state.last.get(kind), when) or when}
    parcels = dict(state.parcels)
    if event.parcel_id and kind in (Kind.PARCEL_UPDATE, Kind.PARCEL_DELIVERED, Kind.ORDER_SHIPPED):
        update = Parcel(
            event.parcel_id,
            "out_for_delivery" if kind is Kind.PARCEL_DELIVERED else event.stage,
            when,
            when if kind is Kind.PARCEL_DELIVERED else None,
        )
        known = parcels.get(event.parcel_id)
        parcels[event.parcel_id] = known.merge(update) if known else update
    new = replace(
        state,
        first=first,
        last=last,
        parcels=parcels,
        partial=state.partial or (kind is Kind.ORDER_SHIPPED and event.partial),
        fully_shipped=state.fully_shipped or (kind is Kind.ORDER_SHIPPED and not event.partial),
        unverified=state.unverified | ({event.message_id or "?"} if not event.authentic else set()),
        pressure_at=_latest(state.pressure_at, when) if event.pressure else state.pressure_at,
        latest_mail=event.message_id or state.latest_mail,
    )
    return _stated(new, event, when)


# Mails whose stated deadline a rule uses: the dispute window after receipt is confirmed, the
# seller's time to answer a dispute, the seller's time to decide a cancellation, the date a
# return must be shipped by.
STATED_KINDS = frozenset(
    {
        Kind.DELIVERY_CONFIRMED,
        Kind.DISPUTE_OPENED,
        Kind.CANCELLATION_REQUESTED,
        Kind.RETURN_REQUIRED,
    }
)


def _stated(state: OrderState, event: Event, when: datetime) -> OrderState:
    """Deadlines and amounts a mail states; with time-ordered input the latest mail's wins."""
    # `is not None`: Decimal("0.00") is false, and a $0 proposal is what buyers lose money to
    # (docs/aliexpress-mail.md, "What buyers lose money to").
    money = None
    if event.amount is not None and event.currency:
        money = (amount_text(event.amount), event.currency)
    deadline = event.deadline
    if event.kind is Kind.SELLER_PROPOSAL:
        # A newer proposal replaces the older one, with its own deadline (or none). Beside
        # authentic mail a forged one never gets here (`fold` keeps it in `claims`).
        return replace(state, proposal_deadline=deadline, proposed_amount=money)
    if event.kind is Kind.PROTECTION_EXTENDED and deadline is not None and event.authentic:
        # Authentic only: a forged extension would push the protection reminder past the end.
        return replace(state, protection_end=_latest(state.protection_end, deadline))
    if event.kind in (Kind.ORDER_PLACED, Kind.ORDER_CONFIRMED, Kind.ORDER_SHIPPED) and money:
        return replace(state, paid_amount=state.paid_amount or money)
    if event.kind in STATED_KINDS and deadline is not None and event.authentic:
        # Only a verified mail may move a deadline: a forged one would silence a reminder.
        return replace(state, stated={**state.stated, event.kind: deadline})
    return state


def _order_key(pair: tuple[Event, datetime]) -> tuple[datetime, str, str, str, str, str]:
    event, when = pair
    # A total order: two mails with the same time still fold the same way in any permutation.
    return (
        when,
        event.kind.value,
        event.message_id or "",
        # Text as the event's JSON has it: Decimal("12.5") equals Decimal("12.50"), and only the
        # text keeps two such mails apart, so they fold the same in any permutation.
        utc_text(event.deadline) if event.deadline else "",
        amount_text(event.amount) if event.amount is not None else "",
        event.parcel_id or "",
    )


def fold(order_id: str, events: Iterable[tuple[Event, datetime]]) -> OrderState:
    """The state of one order from its (event, time) pairs, given in any order.

    `apply` expects time order; `fold` sorts first, so backfilled and replayed mail give the same
    state as mail read as it arrived. When any of the mails is authentic, the state is folded
    from the authentic ones alone: a forged mail can then never move a genuine deadline, close a
    genuine dispute or silence its reminders. With no authentic mail at all, every mail makes the
    state (what `status` shows). Either way every unverified mail is in `claims`, where it can
    only warn.
    """
    ordered = sorted(events, key=_order_key)
    genuine = [pair for pair in ordered if pair[0].authentic]
    basis = genuine or ordered
    state = OrderState(order_id, trusted=bool(genuine))
    for event, when in basis:
        state = apply(state, event, when)
    # A replayed mail is one claim; two that tie on the sort key are put in a fixed order.
    forgeries = {pair for pair in ordered if not pair[0].authentic}
    claims = tuple(sorted(forgeries, key=lambda pair: (_order_key(pair), repr(pair[0]))))
    forged = frozenset(event.message_id or "?" for event, _ in claims)
    return replace(state, claims=claims, unverified=state.unverified | forged)

"""An order's state as a fold over its events, the same whatever order the mails arrive in.

Times merge with min (first seen) and max (latest seen), parcel stages with the furthest one; what
a mail states (a proposal's deadline and amount) follows the latest mail, which `fold` ensures by
sorting. So backfilled, replayed or out-of-order mail gives the same state (issue #3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from parsers.event import STAGES, Event, Kind


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
    paid_amount: tuple[str, str] | None = None
    proposed_amount: tuple[str, str] | None = None
    unverified: frozenset[str] = frozenset()  # Message-IDs of mails that failed authentication
    verified: frozenset[Kind] = frozenset()  # kinds seen in at least one authentic mail
    # Kinds whose first (and latest) mail was authentic: an alert keyed on one mail's time takes
    # its trust from that mail, not from another mail of the same kind.
    first_authentic: frozenset[Kind] = frozenset()
    last_authentic: frozenset[Kind] = frozenset()
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

    def authentic(self, kind: Kind, *, first: bool = False) -> bool:
        """Was the latest (or `first`) mail of this kind authentic? False when none was seen."""
        return kind in (self.first_authentic if first else self.last_authentic)


def _trust(
    trusted: frozenset[Kind],
    kind: Kind,
    known: datetime | None,
    when: datetime,
    authentic: bool,
    *,
    newer: bool,
) -> frozenset[Kind]:
    """Whether the first or latest mail of `kind` is authentic, after one more mail of it.

    Two mails at the same time are trusted only if both are, so the answer does not depend on
    which of them is folded first.
    """
    if known is not None and when == known:
        authentic = authentic and kind in trusted
    elif known is not None and (when < known if newer else when > known):
        return trusted
    return trusted | {kind} if authentic else trusted - {kind}


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
        verified=state.verified | ({kind} if event.authentic else set()),
        first_authentic=_trust(
            state.first_authentic, kind, state.first.get(kind), when, event.authentic, newer=False
        ),
        last_authentic=_trust(
            state.last_authentic, kind, state.last.get(kind), when, event.authentic, newer=True
        ),
        pressure_at=_latest(state.pressure_at, when) if event.pressure else state.pressure_at,
    )
    return _stated(new, event, when)


# Mails whose stated deadline a rule uses: the dispute window after receipt is confirmed, the
# seller's time to answer a dispute, the seller's time to decide a cancellation.
STATED_KINDS = frozenset(
    {Kind.DELIVERY_CONFIRMED, Kind.DISPUTE_OPENED, Kind.CANCELLATION_REQUESTED}
)


def _stated(state: OrderState, event: Event, when: datetime) -> OrderState:
    """Deadlines and amounts a mail states; with time-ordered input the latest mail's wins."""
    money = (event.amount, event.currency) if event.amount and event.currency else None
    deadline = datetime.fromisoformat(event.deadline) if event.deadline else None
    if event.kind is Kind.SELLER_PROPOSAL:
        if not event.authentic and Kind.SELLER_PROPOSAL in state.verified:
            # A forged follow-up never replaces what a genuine proposal stated; its own alert
            # goes out marked unverified (`last_authentic`).
            return state
        # A newer proposal replaces the older one, with its own deadline (or none).
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
        event.deadline or "",
        event.amount or "",
        event.parcel_id or "",
    )


def fold(order_id: str, events: Iterable[tuple[Event, datetime]]) -> OrderState:
    """The state of one order from its (event, time) pairs, given in any order.

    `apply` expects time order; `fold` sorts first, so backfilled and replayed mail give the same
    state as mail read as it arrived.
    """
    state = OrderState(order_id)
    for event, when in sorted(events, key=_order_key):
        state = apply(state, event, when)
    return state

"""Folding an order's mails into its state and phase: table tests and order-independence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliwatch.parsers.event import Event, Kind
from aliwatch.rules.phase import Phase, phase
from aliwatch.rules.state import fold

ORDER = "8200000000000303"
T0 = datetime(2026, 10, 1, 12, tzinfo=UTC)


def ev(kind: Kind, day: int, **fields) -> tuple[Event, datetime]:
    fields.setdefault("authentic", True)
    fields.setdefault("message_id", f"<{kind.value}-{day}@notice.aliexpress.com>")
    return Event(kind, order_ids=(ORDER,), **fields), T0 + timedelta(days=day)


K = Kind
SCENARIOS = {
    "placed only": ([ev(K.ORDER_PLACED, 0)], Phase.PLACED),
    "confirmed": ([ev(K.ORDER_PLACED, 0), ev(K.ORDER_CONFIRMED, 1)], Phase.CONFIRMED),
    "shipped": ([ev(K.ORDER_CONFIRMED, 1), ev(K.ORDER_SHIPPED, 3)], Phase.SHIPPED),
    "partly shipped": ([ev(K.ORDER_SHIPPED, 3, partial=True)], Phase.PARTLY_SHIPPED),
    "parcel moving": (
        [
            ev(K.ORDER_SHIPPED, 3, parcel_id="LP1"),
            ev(K.PARCEL_UPDATE, 5, parcel_id="LP1", stage="customs"),
        ],
        Phase.IN_TRANSIT,
    ),
    "delivered": (
        [ev(K.ORDER_SHIPPED, 3, parcel_id="LP1"), ev(K.PARCEL_DELIVERED, 20, parcel_id="LP1")],
        Phase.DELIVERED,
    ),
    "one of two parcels delivered": (
        [
            ev(K.ORDER_SHIPPED, 3, parcel_id="LP1", partial=True),
            ev(K.ORDER_SHIPPED, 4, parcel_id="LP2"),
            ev(K.PARCEL_DELIVERED, 20, parcel_id="LP1"),
        ],
        Phase.IN_TRANSIT,
    ),
    "awaiting confirmation": (
        [ev(K.ORDER_SHIPPED, 3), ev(K.AWAITING_CONFIRMATION, 60)],
        Phase.AWAITING_CONFIRMATION,
    ),
    "completed": ([ev(K.AWAITING_CONFIRMATION, 60), ev(K.DELIVERY_CONFIRMED, 61)], Phase.COMPLETED),
    "closed after delivery = completed": (
        [ev(K.PARCEL_DELIVERED, 20, parcel_id="LP1"), ev(K.ORDER_CLOSED, 80)],
        Phase.COMPLETED,
    ),
    "closed after cancellation = cancelled": (
        [ev(K.CANCELLATION_REQUESTED, 2), ev(K.ORDER_CLOSED, 5)],
        Phase.CANCELLED,
    ),
    "closed after refund = refunded": (
        [ev(K.REFUND_ISSUED, 30), ev(K.ORDER_CLOSED, 31)],
        Phase.REFUNDED,
    ),
    "cancellation pending": (
        [ev(K.ORDER_CONFIRMED, 1), ev(K.CANCELLATION_REQUESTED, 2)],
        Phase.CANCELLATION_REQUESTED,
    ),
    "cancellation rejected, then shipped": (
        [ev(K.CANCELLATION_REQUESTED, 2), ev(K.CANCELLATION_REJECTED, 4), ev(K.ORDER_SHIPPED, 5)],
        Phase.SHIPPED,
    ),
    "cancellation accepted": (
        [ev(K.CANCELLATION_REQUESTED, 2), ev(K.CANCELLATION_ACCEPTED, 3)],
        Phase.CANCELLED,
    ),
    "dispute open": ([ev(K.ORDER_SHIPPED, 3), ev(K.DISPUTE_OPENED, 40)], Phase.DISPUTE_OPEN),
    "proposal waiting": (
        [ev(K.DISPUTE_OPENED, 40), ev(K.SELLER_PROPOSAL, 42)],
        Phase.PROPOSAL_WAITING,
    ),
    "proposal then escalated": (
        [ev(K.DISPUTE_OPENED, 40), ev(K.SELLER_PROPOSAL, 42), ev(K.DISPUTE_ESCALATED, 43)],
        Phase.DISPUTE_ESCALATED,
    ),
    "dispute closed": ([ev(K.DISPUTE_OPENED, 40), ev(K.DISPUTE_CLOSED, 50)], Phase.DISPUTE_CLOSED),
    "return required": (
        [ev(K.DISPUTE_OPENED, 40), ev(K.RETURN_REQUIRED, 45)],
        Phase.RETURN_REQUIRED,
    ),
    "refunded after dispute": (
        [ev(K.DISPUTE_OPENED, 40), ev(K.DISPUTE_CLOSED, 50), ev(K.REFUND_ISSUED, 52)],
        Phase.REFUNDED,
    ),
}


@pytest.mark.parametrize(("events", "expected"), SCENARIOS.values(), ids=SCENARIOS.keys())
def test_phase(events, expected):
    assert phase(fold(ORDER, events)) is expected


def test_newer_proposal_replaces_the_older_deadline_and_amount():
    first = ev(
        K.SELLER_PROPOSAL,
        42,
        deadline=datetime(2026, 11, 20, 7, 59, tzinfo=UTC),
        amount=Decimal("5.00"),
        currency="USD",
    )
    second = ev(
        K.SELLER_PROPOSAL,
        44,
        deadline=datetime(2026, 11, 25, 7, 59, tzinfo=UTC),
        amount=Decimal("0.00"),
        currency="USD",
    )
    for order in ([first, second], [second, first]):
        state = fold(ORDER, order)
        assert state.proposal_deadline == datetime(2026, 11, 25, 7, 59, tzinfo=UTC)
        assert state.proposed_amount == ("0.00", "USD")


def test_paid_amount_is_kept_beside_the_proposal():
    state = fold(
        ORDER,
        [
            ev(K.ORDER_CONFIRMED, 1, amount=Decimal("23.40"), currency="USD"),
            ev(K.SELLER_PROPOSAL, 42, amount=Decimal("0.00"), currency="USD"),
        ],
    )
    assert state.paid_amount == ("23.40", "USD")


def test_unverified_mail_is_remembered():
    state = fold(ORDER, [ev(K.SELLER_PROPOSAL, 42, authentic=False, message_id="<x@evil>")])
    assert state.unverified == frozenset({"<x@evil>"})


def test_a_forged_follow_up_proposal_keeps_the_genuine_deadline_and_amount():
    genuine = ev(
        K.SELLER_PROPOSAL,
        42,
        deadline=datetime(2026, 11, 25, 7, 59, tzinfo=UTC),
        amount=Decimal("5.00"),
        currency="USD",
    )
    forged = ev(
        K.SELLER_PROPOSAL, 43, deadline=datetime(2027, 1, 30, 7, 59, tzinfo=UTC),
        amount=Decimal("0.00"), currency="USD",
        authentic=False, message_id="<x@evil>",
    )  # fmt: skip
    state = fold(ORDER, [genuine, forged])
    assert state.proposal_deadline == datetime(2026, 11, 25, 7, 59, tzinfo=UTC)
    assert state.proposed_amount == ("5.00", "USD")
    assert state.trusted
    assert state.claims == (forged,)
    assert state.last[K.SELLER_PROPOSAL] == genuine[1]


def test_a_forged_protection_extension_moves_nothing():
    events = [
        ev(K.ORDER_SHIPPED, 3),
        ev(
            K.PROTECTION_EXTENDED,
            50,
            deadline=datetime(2027, 6, 1, 0, 0, tzinfo=UTC),
            authentic=False,
        ),
    ]
    assert fold(ORDER, events).protection_end is None


@pytest.mark.parametrize("order", [(True, False), (False, True)])
def test_a_genuine_and_a_forged_mail_at_one_time_fold_alike_in_either_order(order):
    events = [ev(K.SELLER_PROPOSAL, 42, authentic=a, message_id=f"<{a}@x>") for a in order]
    state = fold(ORDER, events)
    assert state.trusted
    assert [e.message_id for e, _ in state.claims] == ["<False@x>"]
    assert state.latest_mail == "<True@x>"


@pytest.mark.parametrize(
    "forged",
    [
        ev(K.DISPUTE_CLOSED, 45, authentic=False, message_id="<close@evil>"),
        ev(K.REFUND_ISSUED, 45, authentic=False, message_id="<refund@evil>"),
        ev(K.ORDER_CLOSED, 45, authentic=False, message_id="<closed@evil>"),
        ev(
            K.SELLER_PROPOSAL,
            45,
            authentic=False,
            deadline=datetime(2027, 1, 30, 7, 59, tzinfo=UTC),
        ),
        ev(
            K.DISPUTE_OPENED, 45, authentic=False, deadline=datetime(2027, 1, 30, 7, 59, tzinfo=UTC)
        ),
        ev(K.PARCEL_DELIVERED, 45, authentic=False, parcel_id="LP1"),
    ],
)
def test_no_forged_mail_changes_a_genuine_orders_phase_deadlines_or_amounts(forged):
    genuine = [
        ev(K.ORDER_CONFIRMED, 1, amount=Decimal("23.40"), currency="USD"),
        ev(K.ORDER_SHIPPED, 3, parcel_id="LP1"),
        ev(K.DISPUTE_OPENED, 40),
        ev(
            K.SELLER_PROPOSAL,
            42,
            deadline=datetime(2026, 11, 25, 7, 59, tzinfo=UTC),
            amount=Decimal("5.00"),
            currency="USD",
        ),
    ]
    honest = fold(ORDER, genuine)
    mixed = fold(ORDER, [*genuine, forged])
    assert phase(mixed) is phase(honest) is Phase.PROPOSAL_WAITING
    assert replace(mixed, claims=(), unverified=frozenset()) == honest
    assert mixed.claims == (forged,)


def test_parcel_stage_only_moves_forward():
    events = [
        ev(K.PARCEL_UPDATE, 9, parcel_id="LP1", stage="in_country"),
        ev(K.PARCEL_UPDATE, 10, parcel_id="LP1", stage="customs"),  # a late, older scan
    ]
    assert fold(ORDER, events).parcels["LP1"].stage == "in_country"


KINDS = [k for k in Kind if k not in (K.PROMOTION, K.UNRECOGNIZED, K.NOT_ALIEXPRESS)]
event_strategy = st.builds(
    lambda kind, day, parcel, partial, amount, authentic: ev(
        kind,
        day,
        parcel_id=parcel,
        partial=partial,
        amount=amount,
        currency="USD" if amount is not None else None,
        stage="customs" if kind is K.PARCEL_UPDATE else None,
        deadline=datetime(2026, 12, 4, 7, 59, tzinfo=UTC) if kind is K.SELLER_PROPOSAL else None,
        authentic=authentic,
    ),
    st.sampled_from(KINDS),
    st.integers(0, 5),  # few days: many ties, the hard case for order-independence
    st.sampled_from([None, "LP1", "LP2"]),
    st.booleans(),
    # 23.4 beside 23.40: equal Decimals, different text, still one fold in any order.
    st.sampled_from([None, Decimal("0.00"), Decimal("23.40"), Decimal("23.4")]),
    st.booleans(),  # a forged and a genuine mail of one kind at one time: another hard case
)


@settings(max_examples=300, deadline=None)
@given(st.lists(event_strategy, max_size=12), st.randoms(use_true_random=False))
def test_any_permutation_of_an_orders_mails_gives_the_same_state(events, rng):
    shuffled = list(events)
    rng.shuffle(shuffled)
    assert fold(ORDER, shuffled) == fold(ORDER, events)
    assert phase(fold(ORDER, shuffled)) is phase(fold(ORDER, events))


@settings(max_examples=200, deadline=None)
@given(st.lists(event_strategy, max_size=12))
def test_replaying_every_mail_changes_nothing(events):
    assert fold(ORDER, events + events) == fold(ORDER, events)


@settings(max_examples=200, deadline=None)
@given(st.lists(event_strategy, max_size=12))
def test_every_time_in_the_state_is_timezone_aware(events):
    state = fold(ORDER, events)
    times = [
        *state.first.values(),
        *state.last.values(),
        state.proposal_deadline,
        state.protection_end,
    ]
    times += [t for p in state.parcels.values() for t in (p.last_update, p.delivered_at)]
    assert all(t.tzinfo is not None for t in times if t is not None)


def test_the_shipped_mails_total_counts_as_paid_when_no_confirmation_came():
    state = fold(ORDER, [ev(K.ORDER_SHIPPED, 3, amount=Decimal("23.40"), currency="USD")])
    assert state.paid_amount == ("23.40", "USD")

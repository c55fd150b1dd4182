"""Which deadlines an order has, and when, for explicit mail histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aliwatch.parsers.event import Kind as K
from aliwatch.rules.alerts import AlertKind
from aliwatch.rules.deadlines import deadlines
from aliwatch.rules.policy import Policy
from aliwatch.rules.state import fold
from tests.rules.test_state import ORDER, T0, ev

POLICY = Policy()


def due(events, rule: AlertKind) -> list[datetime]:
    return [d.due for d in deadlines(fold(ORDER, events), POLICY) if d.rule is rule]


def test_stated_proposal_deadline_wins():
    events = [
        ev(K.DISPUTE_OPENED, 40),
        ev(K.SELLER_PROPOSAL, 42, deadline=datetime(2026, 12, 4, 7, 59, tzinfo=UTC)),
    ]
    (deadline,) = [
        d for d in deadlines(fold(ORDER, events), POLICY) if d.rule is AlertKind.PROPOSAL
    ]
    assert deadline.due == datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    assert deadline.stated


def test_proposal_without_date_is_due_a_day_later():
    events = [ev(K.DISPUTE_OPENED, 40), ev(K.SELLER_PROPOSAL, 42)]
    assert due(events, AlertKind.PROPOSAL) == [T0 + timedelta(days=43)]


def test_answered_proposal_has_no_deadline():
    events = [ev(K.SELLER_PROPOSAL, 42), ev(K.DISPUTE_ESCALATED, 43)]
    assert due(events, AlertKind.PROPOSAL) == []


def test_protection_ends_90_days_after_shipping_unless_stated():
    assert due([ev(K.ORDER_SHIPPED, 3)], AlertKind.PROTECTION) == [T0 + timedelta(days=93)]
    extended = [
        ev(K.ORDER_SHIPPED, 3),
        ev(K.PROTECTION_EXTENDED, 80, deadline=datetime(2027, 2, 1, 8, 0, tzinfo=UTC)),
    ]
    assert due(extended, AlertKind.PROTECTION) == [datetime(2027, 2, 1, 8, tzinfo=UTC)]


def test_no_protection_reminder_in_dispute_or_after_delivery():
    assert due([ev(K.ORDER_SHIPPED, 3), ev(K.DISPUTE_OPENED, 40)], AlertKind.PROTECTION) == []
    delivered = [
        ev(K.ORDER_SHIPPED, 3, parcel_id="LP1"),
        ev(K.PARCEL_DELIVERED, 20, parcel_id="LP1"),
    ]
    assert due(delivered, AlertKind.PROTECTION) == []


def test_dispute_window_is_15_days_after_receipt_confirmed():
    events = [ev(K.ORDER_SHIPPED, 3), ev(K.DELIVERY_CONFIRMED, 30)]
    assert due(events, AlertKind.DISPUTE_WINDOW) == [T0 + timedelta(days=45)]


def test_cancellation_undecided_after_9_days():
    events = [ev(K.ORDER_CONFIRMED, 1), ev(K.CANCELLATION_REQUESTED, 2)]
    assert due(events, AlertKind.CANCEL_DECISION) == [T0 + timedelta(days=11)]
    decided = [*events, ev(K.CANCELLATION_REJECTED, 4)]
    assert due(decided, AlertKind.CANCEL_DECISION) == []


def test_silent_seller_five_days_after_dispute_opened():
    assert due([ev(K.DISPUTE_OPENED, 40)], AlertKind.SELLER_REPLY) == [T0 + timedelta(days=45)]


def test_not_shipped_seven_days_after_confirmation():
    assert due([ev(K.ORDER_CONFIRMED, 1)], AlertKind.SHIPPING) == [T0 + timedelta(days=8)]
    assert due([ev(K.ORDER_CONFIRMED, 1), ev(K.ORDER_SHIPPED, 2)], AlertKind.SHIPPING) == []


def test_stalled_parcel_twenty_days_after_its_last_scan():
    events = [ev(K.PARCEL_UPDATE, 5, parcel_id="LP1", stage="departed")]
    assert due(events, AlertKind.STALLED) == [T0 + timedelta(days=25)]


def test_refund_missing_twenty_days_after_promise_until_issued():
    events = [ev(K.CANCELLATION_REQUESTED, 2), ev(K.CANCELLATION_ACCEPTED, 3)]
    assert due(events, AlertKind.REFUND) == [T0 + timedelta(days=23)]
    assert due([*events, ev(K.REFUND_ISSUED, 10)], AlertKind.REFUND) == []


def test_deadlines_are_sorted_and_aware():
    events = [
        ev(K.ORDER_SHIPPED, 3, parcel_id="LP1"),
        ev(K.PARCEL_UPDATE, 5, parcel_id="LP1", stage="customs"),
    ]
    found = deadlines(fold(ORDER, events), POLICY)
    assert [d.due for d in found] == sorted(d.due for d in found)
    assert all(d.due.tzinfo is not None for d in found)


def test_no_stall_check_while_a_dispute_is_open():
    events = [ev(K.PARCEL_UPDATE, 5, parcel_id="LP1", stage="departed"), ev(K.DISPUTE_OPENED, 30)]
    assert due(events, AlertKind.STALLED) == []


def test_a_window_a_verified_mail_states_replaces_the_policy_period():
    # "You have 10 days to open a dispute" (deadline = the mail's date + 10 days).
    stated = T0 + timedelta(days=40)
    events = [ev(K.ORDER_SHIPPED, 3), ev(K.DELIVERY_CONFIRMED, 30, deadline=stated)]
    (window,) = [
        d for d in deadlines(fold(ORDER, events), POLICY) if d.rule is AlertKind.DISPUTE_WINDOW
    ]
    assert (window.due, window.stated) == (T0 + timedelta(days=40), True)
    seller = [ev(K.DISPUTE_OPENED, 40, deadline=T0 + timedelta(days=43))]
    assert due(seller, AlertKind.SELLER_REPLY) == [T0 + timedelta(days=43)]
    cancel = [ev(K.CANCELLATION_REQUESTED, 2, deadline=T0 + timedelta(days=6))]
    assert due(cancel, AlertKind.CANCEL_DECISION) == [T0 + timedelta(days=6)]


def test_an_unverified_mail_never_moves_a_deadline():
    later = T0 + timedelta(days=90)
    events = [ev(K.DELIVERY_CONFIRMED, 30, deadline=later, authentic=False)]
    assert due(events, AlertKind.DISPUTE_WINDOW) == [T0 + timedelta(days=45)]

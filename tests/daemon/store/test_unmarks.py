"""Taking the user's marks back: unack, unsnooze, unwatch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aliwatch.daemon.store import Acks, NotInStoreError
from aliwatch.daemon.store.marks import Unacked
from tests.daemon.store.conftest import NOW, fixture, key

LATER = NOW + timedelta(hours=1)


@pytest.fixture
def order(store) -> str:
    event, digest = fixture("order/order_shipped_en.eml")
    store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    return event.order_ids[0]


def alert(store, order, rule):
    store.add_alert(f"{rule}|{order}", order_id=order, rule=rule, due=None, payload={}, now=NOW)
    return f"{rule}|{order}"


def test_unack_of_one_rule_restores_its_held_alerts_only(store, order):
    stalled = alert(store, order, "parcel_stalled")
    ending = alert(store, order, "protection_ending")
    store.ack(order, "parcel_stalled", NOW)
    store.ack(order, "protection_ending", NOW)
    assert store.unack(order, "parcel_stalled") == Unacked(("parcel_stalled",), 1)
    assert (store.alert(stalled).state, store.alert(ending).state) == ("pending", "acked")
    assert store.acks(order) == Acks(None, {"protection_ending": NOW})


def test_unack_of_everything_removes_every_acknowledgement(store, order):
    alert(store, order, "parcel_stalled")
    store.ack(order, None, NOW)
    store.ack(order, "parcel_stalled", LATER)
    assert store.unack(order, None) == Unacked((None, "parcel_stalled"), 1)
    assert store.acks(order) == Acks()
    assert store.unack(order, None) == Unacked((), 0)


def test_an_ack_of_every_rule_keeps_holding_after_one_rule_is_unacked(store, order):
    stalled = alert(store, order, "parcel_stalled")
    store.ack(order, None, NOW)
    assert store.unack(order, "parcel_stalled") == Unacked((), 0, still_all=True)
    assert store.alert(stalled).state == "acked"


def test_unack_does_not_resend_an_alert_a_channel_sent(store, order):
    stalled = alert(store, order, "parcel_stalled")
    store.fan_out(["email", "desktop"], NOW)
    store.delivered(stalled, "email", NOW)
    store.ack(order, None, NOW)
    assert store.unack(order, None).alerts == 0
    assert store.alert(stalled).state == "acked"


def test_an_alert_sent_before_the_ack_stays_sent(store, order):
    stalled = alert(store, order, "parcel_stalled")
    store.fan_out(["email"], NOW)
    store.delivered(stalled, "email", NOW)
    store.ack(order, None, NOW)
    store.unack(order, None)
    assert store.alert(stalled).state == "sent"


def test_unsnooze_returns_when_the_snooze_was_to_end(store, order):
    assert store.unsnooze(order) is None
    store.snooze(order, LATER)
    assert store.unsnooze(order) == LATER
    assert store.snoozed_until(order) is None


def test_unwatch_says_whether_the_order_was_watched(store, order):
    assert store.unwatch(order) is False
    store.watch(order, NOW)
    assert store.unwatch(order) is True
    assert not store.watched(order)
    store.watch(order, LATER)  # watched again: from the new time
    assert store.watched(order)


@pytest.mark.parametrize("mark", ["unack", "unsnooze", "unwatch"])
def test_undoing_a_mark_of_an_order_no_mail_named_is_an_error(store, mark):
    calls = {
        "unack": lambda: store.unack("1234", None),
        "unsnooze": lambda: store.unsnooze("1234"),
        "unwatch": lambda: store.unwatch("1234"),
    }
    with pytest.raises(NotInStoreError):
        calls[mark]()

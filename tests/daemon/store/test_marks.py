"""The user's marks on an order: watch, acknowledge, snooze."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aliwatch.daemon.store import Acks, NotInStoreError
from tests.daemon.store.conftest import NOW, fixture, key
from tests.support import pending_alerts

LATER = NOW + timedelta(hours=1)


@pytest.fixture
def order(store) -> str:
    event, digest = fixture("order/order_shipped_en.eml")
    store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    return event.order_ids[0]


def test_an_order_is_not_watched_until_the_user_says_so(store, order):
    assert not store.watched(order)
    store.watch(order, NOW)
    assert store.watched(order)


def test_acknowledging_one_rule_covers_that_rule_only(store, order):
    store.ack(order, "protection_ending", NOW)
    acks = store.acks(order)
    assert acks == Acks(None, {"protection_ending": NOW})
    assert (acks.covers("protection_ending"), acks.covers("parcel_stalled")) == (True, False)


def test_acknowledging_the_order_covers_every_rule(store, order):
    store.ack(order, None, NOW)
    store.ack(order, None, LATER)
    assert store.acks(order) == Acks(LATER, {})
    assert store.acks(order).covers("parcel_stalled")


def test_acknowledging_drops_the_unsent_alerts_of_that_rule(store, order):
    for rule in ("protection_ending", "parcel_stalled"):
        store.add_alert(f"{rule}|{order}", order_id=order, rule=rule, due=None, payload={}, now=NOW)
    store.ack(order, "parcel_stalled", NOW)
    assert [a.rule for a in pending_alerts(store)] == ["protection_ending"]
    assert store.alert(f"parcel_stalled|{order}").state == "acked"


def test_a_later_snooze_replaces_the_earlier_one(store, order):
    assert store.snoozed_until(order) is None
    store.snooze(order, NOW + timedelta(days=3))
    store.snooze(order, NOW + timedelta(days=1))
    assert store.snoozed_until(order) == NOW + timedelta(days=1)


@pytest.mark.parametrize("mark", ["watch", "ack", "snooze"])
def test_marking_an_order_no_mail_named_is_an_error(store, mark):
    calls = {
        "watch": lambda: store.watch("1234", NOW),
        "ack": lambda: store.ack("1234", None, NOW),
        "snooze": lambda: store.snooze("1234", NOW),
    }
    with pytest.raises(NotInStoreError):
        calls[mark]()

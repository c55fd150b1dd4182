"""Alerts fire once per key, across restarts, and count their delivery attempts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aliwatch.daemon.store import Store
from tests.daemon.store.conftest import NOW, fixture, key

ORDER_FIXTURE = "order/order_shipped_en.eml"
KEY = "protection_ending|8200669912870043|2026-02-05T09:02:03Z|7d"


@pytest.fixture
def order(store) -> str:
    event, digest = fixture(ORDER_FIXTURE)
    store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    return event.order_ids[0]


def add(store, order, alert_key=KEY, **extra) -> bool:
    fields = {"rule": "protection_ending", "due": NOW + timedelta(days=7), "payload": {"n": 1}}
    return store.add_alert(alert_key, order_id=order, now=NOW, **(fields | extra))


def test_an_alert_key_is_new_once(store, order):
    assert (add(store, order), add(store, order)) == (True, False)


def test_an_alert_key_stays_known_after_a_restart(db_path, order, store):
    add(store, order)
    store.close()
    with Store.open(db_path) as restarted:
        assert add(restarted, order) is False


def test_a_new_alert_is_pending_with_its_fields(store, order):
    add(store, order, payload={"text": "ask the seller to extend"})
    alert = store.alert(KEY)
    assert (alert.key, alert.order_id, alert.due, alert.state, alert.attempts) == (
        KEY,
        order,
        NOW + timedelta(days=7),
        "pending",
        0,
    )
    assert alert.payload == {"text": "ask the seller to extend"}


def test_an_alert_without_an_order_or_due_date_is_kept(store):
    assert store.add_alert(
        "attention|<m@x>", order_id=None, rule="attention", due=None, payload={}, now=NOW
    )
    assert store.alert("attention|<m@x>").due is None

"""Reading orders back: events round-trip exactly; parcels and orders are many-to-many."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from aliwatch.parsers import Event, Kind
from aliwatch.rules.state import fold
from tests.daemon.store.conftest import NOW, fixture, key

A, B = "8200000000000101", "8200000000000202"


def shipped(message: str, order_ids: tuple[str, ...], parcel: str) -> Event:
    return Event(
        Kind.ORDER_SHIPPED,
        order_ids=order_ids,
        parcel_id=parcel,
        message_id=message,
        sent_at=datetime(2025, 11, 7, 9, 2, 3, tzinfo=UTC),
        authentic=True,
    )


def record_all(store, *events: Event) -> None:
    for uid, event in enumerate(events, start=1):
        store.record(key(uid), event, raw_digest=f"{uid:064x}", status="ok", error=None, now=NOW)


def test_a_real_event_comes_back_exactly_with_its_sent_time(store):
    event, digest = fixture("dispute/seller_proposal_en_deadline.eml")
    store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    (order,) = event.order_ids
    assert store.events_of(order) == [(event, event.sent_at)]


def test_order_state_is_the_fold_of_the_real_events(store):
    names = ["order/order_confirmed_en.eml", "dispute/refund_issued_en_two_orders.eml"]
    events = [fixture(name)[0] for name in names]
    record_all(store, *events)
    for order in store.order_ids():
        mine = [(e, e.sent_at) for e in events if order in e.order_ids]
        assert store.order_state(order) == fold(order, mine)


def test_one_event_naming_two_orders_belongs_to_both(store):
    event, digest = fixture("dispute/refund_issued_en_two_orders.eml")
    store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    assert store.order_ids() == sorted(event.order_ids)
    assert all(store.events_of(order)[0][0] == event for order in event.order_ids)


def test_one_parcel_can_carry_two_orders(store):
    event, digest = fixture("parcel/parcel_departed_en_two_orders.eml")
    store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    for order in event.order_ids:
        assert event.parcel_id in store.order_state(order).parcels


def test_one_order_can_ship_in_two_parcels(store):
    record_all(store, shipped("<1@x>", (A,), "LP1"), shipped("<2@x>", (A, B), "LP2"))
    assert sorted(store.order_state(A).parcels) == ["LP1", "LP2"]
    assert list(store.order_state(B).parcels) == ["LP2"]


def test_a_scan_naming_only_the_parcel_belongs_to_the_parcels_orders(store):
    scan = Event(
        Kind.PARCEL_UPDATE, parcel_id="LP1", stage="customs", message_id="<3@x>", authentic=True
    )
    record_all(store, scan, shipped("<1@x>", (A, B), "LP1"))
    assert [e for e, _ in store.events_of(B)] == [shipped("<1@x>", (A, B), "LP1"), scan]


def test_an_unknown_order_has_no_events_and_an_empty_state(store):
    assert store.events_of(A) == []
    assert store.order_state(A) == fold(A, [])


def test_unrecognised_mail_asking_for_attention_is_listed_with_or_without_an_order(store):
    flagged, _ = fixture("other/unrecognized_refund_only_en.eml")
    orphan = replace(flagged, order_ids=(), message_id="<orphan@x>")
    quiet, _ = fixture("other/unrecognized_verification_code_ru.eml")
    record_all(store, flagged, orphan, quiet)
    assert [e for e, _ in store.attention_events()] == [flagged, orphan]

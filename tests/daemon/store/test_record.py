"""Recording mails: once per mail key, one event per Message-ID, all or nothing."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from aliwatch.daemon.store import StoreError, mails
from aliwatch.parsers import Event, Kind
from tests.daemon.store.conftest import NOW, count, fixture, key

SHIPPED = "order/order_shipped_en.eml"


def test_a_new_mail_with_an_event_returns_true(store):
    event, digest = fixture(SHIPPED)
    assert store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)


def test_the_same_message_under_a_new_uidvalidity_adds_no_second_event(store, db_path):
    event, digest = fixture(SHIPPED)
    store.record(key(7, uidvalidity=1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    again = store.record(
        key(3, uidvalidity=2), event, raw_digest=digest, status="ok", error=None, now=NOW
    )
    assert again is False
    assert (count(db_path, "mails"), count(db_path, "events")) == (2, 1)


def test_the_same_mail_key_is_recorded_once(store, db_path):
    event, digest = fixture(SHIPPED)
    store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    again = store.record(key(1), None, raw_digest=digest, status="failed", error="x", now=NOW)
    assert again is False
    assert count(db_path, "mails") == 1


def test_a_failed_mail_is_recorded_with_its_error_and_no_event(store, db_path):
    recorded = store.record(
        key(1), None, raw_digest="ab" * 32, status="failed", error="not a mail", now=NOW
    )
    assert recorded is False
    assert store.is_recorded(key(1))
    db = sqlite3.connect(db_path)
    status, error = db.execute("SELECT status, error FROM mails").fetchone()
    db.close()
    assert (status, error) == ("failed", "not a mail")
    assert count(db_path, "events") == 0


def test_a_long_error_is_cut_short(store, db_path):
    store.record(key(1), None, raw_digest="ab" * 32, status="failed", error="e" * 5000, now=NOW)
    db = sqlite3.connect(db_path)
    (error,) = db.execute("SELECT error FROM mails").fetchone()
    db.close()
    assert len(error) <= 300


def test_mail_that_is_not_aliexpress_keeps_no_event(store, db_path):
    event, digest = fixture("other/not_aliexpress_newsletter.eml")
    assert event.kind is Kind.NOT_ALIEXPRESS
    assert not store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    assert count(db_path, "events") == 0


def test_an_ignored_mail_keeps_no_event(store, db_path):
    event, digest = fixture("other/promotion_deals_en.eml")
    store.record(key(1), event, raw_digest=digest, status="ignored", error=None, now=NOW)
    assert count(db_path, "events") == 0


def test_an_event_without_an_order_is_stored(store, db_path):
    event, digest = fixture("other/unrecognized_verification_code_ru.eml")
    assert event.order_ids == ()
    assert store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    assert (count(db_path, "events"), count(db_path, "orders")) == (1, 0)


def test_mail_without_message_id_is_told_apart_by_its_digest(store, db_path):
    event = replace(fixture(SHIPPED)[0], message_id=None)
    store.record(key(1), event, raw_digest="aa" * 32, status="ok", error=None, now=NOW)
    other = store.record(key(2), event, raw_digest="bb" * 32, status="ok", error=None, now=NOW)
    same = store.record(key(3), event, raw_digest="bb" * 32, status="ok", error=None, now=NOW)
    assert (other, same) == (True, False)
    assert count(db_path, "events") == 2


def test_an_event_without_sent_time_is_dated_when_examined(store):
    event = Event(Kind.ORDER_CONFIRMED, order_ids=("8200000000000999",), message_id="<m@x>")
    store.record(key(1), event, raw_digest="aa" * 32, status="ok", error=None, now=NOW)
    assert store.events_of("8200000000000999") == [(event, NOW)]


def test_a_failure_inside_the_transaction_leaves_neither_mail_nor_event(
    store, db_path, monkeypatch
):
    def crash(*args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(mails, "_link_orders", crash)
    event, digest = fixture(SHIPPED)
    with pytest.raises(RuntimeError, match="power cut"):
        store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    assert not store.is_recorded(key(1))
    assert (count(db_path, "mails"), count(db_path, "events")) == (0, 0)


def test_a_database_error_inside_the_transaction_is_a_store_error(store, db_path, monkeypatch):
    def disk_error(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(mails, "_link_orders", disk_error)
    event, digest = fixture(SHIPPED)
    with pytest.raises(StoreError):
        store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    assert (count(db_path, "mails"), count(db_path, "events")) == (0, 0)


def test_a_mail_that_failed_to_record_is_recorded_on_the_next_try(store, monkeypatch):
    event, digest = fixture(SHIPPED)
    with monkeypatch.context() as patch:
        patch.setattr(mails, "_link_orders", lambda *args: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    assert store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)


def test_max_uid_is_per_folder_and_uidvalidity(store):
    for uid in (3, 9, 4):
        store.record(key(uid), None, raw_digest="aa" * 32, status="failed", error="x", now=NOW)
    store.record(
        key(50, uidvalidity=2), None, raw_digest="a" * 64, status="ignored", error=None, now=NOW
    )
    assert store.max_uid("buyer@example.org", "INBOX", 1) == 9
    assert store.max_uid("buyer@example.org", "Archive", 1) == 0


def test_an_unknown_status_is_refused(store):
    with pytest.raises(ValueError, match="status"):
        store.record(key(1), None, raw_digest="aa" * 32, status="done", error=None, now=NOW)


def test_ignored_mail_is_recorded_in_one_write_and_raises_the_high_water_mark(store, db_path):
    assert store.record_ignored([key(3), key(4), key(9)], now=NOW) == 3
    assert count(db_path, "mails") == 3
    assert store.max_uid("buyer@example.org", "INBOX", 1) == 9
    assert count(db_path, "events") == 0


def test_recording_ignored_mail_twice_changes_nothing(store, db_path):
    event, digest = fixture(SHIPPED)
    store.record(key(2), event, raw_digest=digest, status="ok", error=None, now=NOW)
    assert store.record_ignored([key(1), key(2)], now=NOW) == 1
    db = sqlite3.connect(db_path)
    (status,) = db.execute("SELECT status FROM mails WHERE uid = 2").fetchone()
    db.close()
    assert status == "ok"  # the candidate's record is not overwritten


def test_recorded_uids_answers_for_one_span_of_one_folder(store):
    store.record_ignored(
        [key(1), key(5), key(7), key(5, uidvalidity=2), key(6, folder="Sent")], now=NOW
    )
    assert store.recorded_uids("buyer@example.org", "INBOX", 1, range(2, 8)) == {5, 7}

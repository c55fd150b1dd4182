"""A pass over the store: acknowledgements end with new mail, and the daily noise limit holds."""

from __future__ import annotations

import sys
from datetime import timedelta

from aliwatch.daemon.alerts.evaluate import evaluate, marks_of
from aliwatch.daemon.sources.ingest import ingest
from aliwatch.daemon.sources.inputs import Input, iter_inputs
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy
from aliwatch.rules.policy import Policy
from tests.support import MAILBOX, NOW

STALLED_ORDER = "8200000000000202"  # a stalled parcel and protection running out


def loaded(tmp_path) -> Store:
    store = Store.open(tmp_path / "aliwatch.db")
    ingest(store, iter_inputs([str(MAILBOX)], sys.stdin.buffer), NOW, AuthPolicy(), account="t")
    return store


def test_one_ordinary_alert_per_order_per_day(tmp_path):
    with loaded(tmp_path) as store:
        first = [d.rule for d in evaluate(store, NOW, Policy()) if d.order_id == STALLED_ORDER]
        same_day = [
            d.rule
            for d in evaluate(store, NOW + timedelta(hours=1), Policy())
            if d.order_id == STALLED_ORDER
        ]
        next_day = [
            d.rule
            for d in evaluate(store, NOW + timedelta(hours=25), Policy())
            if d.order_id == STALLED_ORDER
        ]
    assert first == ["parcel_stalled"]
    assert same_day == []
    assert next_day == ["protection_ending"]


def test_an_ack_holds_until_a_newer_mail_about_the_order(tmp_path):
    with loaded(tmp_path) as store:
        store.ack(STALLED_ORDER, "parcel_stalled", NOW)
        assert "parcel_stalled" in marks_of(store, store.order_state(STALLED_ORDER)).acked
        newer = (
            (MAILBOX / "cur/1790277651.M12P100.demo:2,S")
            .read_bytes()
            .replace(b"Message-ID: <", b"Message-ID: <later-")
            .replace(b"Date: ", b"X-Old-Date: ", 1)
            .replace(b"X-Old-Date: ", b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nX-Old-Date: ", 1)
        )
        ingest(store, [Input("later.eml", newer)], NOW, AuthPolicy(), account="t")
        assert "parcel_stalled" not in marks_of(store, store.order_state(STALLED_ORDER)).acked


def test_mail_that_is_not_an_order_event_is_recorded_as_ignored(tmp_path):
    newsletter = (
        b"From: news@shop.example\r\nSubject: Deals\r\nMessage-ID: <n1@shop.example>\r\n\r\nhi"
    )
    with Store.open(tmp_path / "db.sqlite") as store:
        report = ingest(store, [Input("n.eml", newsletter)], NOW, AuthPolicy(), account="t")
        rows = store._read("SELECT status FROM mails")
    assert report.new_events == 0
    assert [row[0] for row in rows] == ["ignored"]

"""Folder sync against each real IMAP server (Dovecot, Cyrus): backfill, increments,
UIDVALIDITY rescans, read-only."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

import aliwatch.daemon.sources.imap.sync as sync_module
from aliwatch.daemon.sources.imap import ImapSession, SyncReport
from aliwatch.daemon.store import Store
from aliwatch.parsers import recognise
from aliwatch.parsers.event import Kind
from tests.daemon.sources.imap.conftest import (
    FIXTURE_MAILS,
    append_all,
    other_mail,
    settings_for,
    sync_once,
)
from tests.servers.cyrus import Cyrus, ImapServer

pytestmark = pytest.mark.real_server

IGNORED_KINDS = {Kind.NOT_ALIEXPRESS, Kind.PROMOTION}


def _expected_events() -> int:
    """Distinct events the fixtures carry: one per Message-ID (or per file without one)."""
    keys = set()
    for path in FIXTURE_MAILS:
        event = recognise(path.read_bytes())
        if event.kind not in IGNORED_KINDS:
            keys.add((event.message_id or "").strip() or f"file:{path}")
    return len(keys)


def _expected_ok() -> int:
    return sum(recognise(p.read_bytes()).kind not in IGNORED_KINDS for p in FIXTURE_MAILS)


def _sync_counting_bodies(
    server: ImapServer, store: Store, folder: str
) -> tuple[SyncReport, list[int]]:
    """Sync, and the UIDs whose whole body was fetched."""
    fetched: list[int] = []
    with ImapSession(settings_for(server).imap()) as session:
        real_fetch = session.fetch_bodies

        def spy(uids):  # type: ignore[no-untyped-def]
            fetched.extend(uids)
            return real_fetch(uids)

        session.fetch_bodies = spy  # type: ignore[method-assign]
        return sync_once(server, store, folder, session), fetched


def _fixtures_and_others() -> list[bytes]:
    return [p.read_bytes() for p in FIXTURE_MAILS] + [other_mail(n) for n in range(3)]


def test_backfill_turns_aliexpress_mail_into_events_and_records_the_rest_as_ignored(
    imap_server, folder, store, db_rows
):
    mails = _fixtures_and_others()
    append_all(imap_server, folder, mails)

    report = sync_once(imap_server, store, folder)

    assert report.examined == len(mails)
    assert report.rescanned
    assert report.new_events == _expected_events()
    statuses = dict(db_rows("SELECT status, count(*) FROM mails GROUP BY status"))
    assert statuses == {"ok": _expected_ok(), "ignored": len(mails) - _expected_ok()}


def test_only_candidates_have_their_whole_body_fetched(imap_server, folder, store):
    append_all(imap_server, folder, [FIXTURE_MAILS[0].read_bytes(), other_mail(1), other_mail(2)])
    report, fetched = _sync_counting_bodies(imap_server, store, folder)

    assert report.examined == 3
    assert fetched == [1]  # the AliExpress mail (UID 1); the two others by headers only


def test_a_candidate_over_the_size_cap_is_recorded_failed_without_fetching_it(
    imap_server, folder, store, db_rows, monkeypatch
):
    mail = FIXTURE_MAILS[0].read_bytes()
    append_all(imap_server, folder, [mail, other_mail(1)])
    monkeypatch.setattr(sync_module, "MAX_MAIL_BYTES", len(mail) - 1)
    report, fetched = _sync_counting_bodies(imap_server, store, folder)

    assert fetched == []
    assert (report.examined, report.failed) == (2, 1)
    [(status, error)] = db_rows("SELECT status, error FROM mails WHERE uid = 1")
    assert status == "failed" and "not fetched" in error


def test_a_second_sync_without_new_mail_examines_nothing(imap_server, folder, store):
    append_all(imap_server, folder, _fixtures_and_others()[:10])
    sync_once(imap_server, store, folder)

    again = sync_once(imap_server, store, folder)

    assert (again.examined, again.new_events, again.rescanned) == (0, 0, False)


def test_the_uid_search_above_the_last_uid_is_empty_although_imap_returns_the_last_mail(
    imap_server, folder, store
):
    append_all(imap_server, folder, [other_mail(1), other_mail(2)])
    with ImapSession(settings_for(imap_server).imap()) as session:
        session.select_readonly(folder)
        # The server answers `UID SEARCH 3:*` with UID 2, the last message (RFC 3501 6.4.8).
        assert session.search_uids_since(3, None) == []


def test_a_mail_appended_after_a_sync_is_picked_up_by_the_next(imap_server, folder, store):
    append_all(imap_server, folder, [other_mail(1)])
    sync_once(imap_server, store, folder)
    imap_server.append(folder, FIXTURE_MAILS[0].read_bytes())

    report = sync_once(imap_server, store, folder)

    assert (report.examined, report.candidates, report.new_events) == (1, 1, 1)


def test_a_recreated_folder_with_the_same_mails_adds_no_duplicate_events(
    imap_server, folder, store, db_rows
):
    mails = _fixtures_and_others()
    append_all(imap_server, folder, mails)
    first = sync_once(imap_server, store, folder)
    events_before = db_rows("SELECT count(*) FROM events")[0][0]
    imap_server.recreate_folder(folder)
    append_all(imap_server, folder, mails)

    second = sync_once(imap_server, store, folder)

    assert second.uidvalidity != first.uidvalidity
    assert second.rescanned
    assert second.examined == len(mails)
    assert second.new_events == 0
    assert db_rows("SELECT count(*) FROM events")[0][0] == events_before


def test_mail_older_than_the_backfill_window_is_not_examined(imap_server, folder, store):
    old = datetime.now(UTC) - timedelta(days=60)
    append_all(imap_server, folder, [FIXTURE_MAILS[0].read_bytes()], msg_time=old)
    append_all(imap_server, folder, [other_mail(1)])

    report = sync_once(imap_server, store, folder)  # backfill_days=30

    assert (report.examined, report.candidates) == (1, 0)


def test_a_sync_leaves_every_message_unseen(imap_server, folder, store):
    append_all(imap_server, folder, _fixtures_and_others())

    sync_once(imap_server, store, folder)

    with imap_server.client() as imap:
        imap.select_folder(folder, readonly=True)
        flags = imap.get_flags(imap.search("ALL"))
    assert flags
    assert all(b"\\Seen" not in f for f in flags.values())


def _too_deep_to_parse() -> bytes:
    """An AliExpress-looking mail nested 1,500 MIME levels deep: recognise() cannot read it."""
    head = (
        b"From: AliExpress <transaction@notice.aliexpress.com>\r\n"
        b"Subject: Order 8000000000000001 shipped\r\nMessage-ID: <deep@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
    )
    nest = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(1500)
    )
    return head + nest + b"Content-Type: text/plain\r\n\r\nhi\r\n"


def test_garbage_bytes_are_recorded_as_ignored_and_the_sync_goes_on(
    imap_server, folder, store, db_rows
):
    garbage = bytes(range(1, 256)).replace(b"\r", b"").replace(b"\n", b"") + b"\r\n"
    mail = garbage * 20
    if isinstance(imap_server, Cyrus):
        # Cyrus refuses to store a header section of garbage ("NO Message contains invalid
        # header"): there the garbage follows an empty header section.
        mail = b"\r\n" + mail
    append_all(imap_server, folder, [mail, FIXTURE_MAILS[0].read_bytes()])

    report = sync_once(imap_server, store, folder)

    assert (report.examined, report.new_events) == (2, 1)
    assert db_rows("SELECT uid, status FROM mails ORDER BY uid") == [(1, "ignored"), (2, "ok")]


def test_a_candidate_that_cannot_be_parsed_is_recorded_failed_and_the_sync_goes_on(
    imap_server, folder, store, db_rows
):
    append_all(imap_server, folder, [_too_deep_to_parse(), FIXTURE_MAILS[0].read_bytes()])

    report = sync_once(imap_server, store, folder)

    assert (report.examined, report.failed, report.new_events) == (2, 1, 1)
    rows = db_rows("SELECT uid, status, error FROM mails ORDER BY uid")
    assert [(uid, status) for uid, status, _ in rows] == [(1, "failed"), (2, "ok")]
    assert "RecursionError" in rows[0][2]


def test_relayed_aliexpress_mail_is_fetched_and_recognised(imap_server, folder, store, db_rows):
    # Every relay form, the sender hidden in a relay header included, must reach recognition:
    # a relayed mail turned away by its header lines would be silently lost.
    from tests import variants  # noqa: PLC0415 - only this test builds relayed mail

    raw = next(p for p in FIXTURE_MAILS if p.name == "order_shipped_de_versandt.eml").read_bytes()
    relayed = [make(raw) for make in variants.RELAYS.values()]
    append_all(imap_server, folder, relayed)

    report, fetched = _sync_counting_bodies(imap_server, store, folder)

    assert report.examined == len(relayed)
    assert len(fetched) == len(relayed)
    assert db_rows("SELECT status, count(*) FROM mails GROUP BY status") == [("ok", len(relayed))]
    kinds = db_rows("SELECT kind FROM events")
    assert kinds == [("order_shipped",)]  # one mail, relayed six ways: one event (Message-ID)


def test_a_folder_with_gaps_in_its_uids_is_listed_in_spans_and_every_mail_examined_once(
    imap_server, folder, store, db_rows, monkeypatch
):
    append_all(imap_server, folder, [other_mail(n) for n in range(40)])
    with imap_server.client() as imap:  # UIDs with gaps: every third mail deleted
        imap.select_folder(folder)
        gone = [uid for uid in imap.search(["ALL"]) if uid % 3 == 0]
        imap.delete_messages(gone)
        imap.expunge()
    monkeypatch.setattr(sync_module, "HEADER_BATCH", 5)  # spans of 5 messages: 6 marks
    spans: list[tuple[int, int | None]] = []
    with ImapSession(settings_for(imap_server).imap()) as session:
        real_search = session.search_uids_since

        def spy(min_uid, since, max_uid=None):  # type: ignore[no-untyped-def]
            spans.append((min_uid, max_uid))
            return real_search(min_uid, since, max_uid)

        session.search_uids_since = spy  # type: ignore[method-assign]
        report = sync_once(imap_server, store, folder, session)

    kept = [uid for uid in range(1, 41) if uid % 3 != 0]
    assert report.examined == len(kept)
    assert [uid for (uid,) in db_rows("SELECT uid FROM mails ORDER BY uid")] == kept
    assert len(spans) == len(kept) // 5 + 1  # one SEARCH per span, none of the folder at once
    assert spans[0][0] == 1 and spans[-1][1] is None
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(spans))  # no UID left out

"""Server answers in any spelling are used, and an answer that cannot be used is never a silent
zero: on the real Dovecot, with the request or the expected spelling changed."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

import aliwatch.daemon.sources.imap.session as session_module
from aliwatch.daemon.service.runner import REPLY_FAILURES_BEFORE_ALERT, Runner
from aliwatch.daemon.sources.imap import ImapReplyError, ImapSession, sync_folder
from aliwatch.daemon.sources.imap.source import ImapSource
from tests.daemon.sources.imap.conftest import AUTH, append_all, other_mail, settings_for
from tests.fixture_corpus import FIXTURES

pytestmark = pytest.mark.real_server
ACCOUNT = "user@example.com"
SHIPPED = (FIXTURES / "order" / "order_shipped_en.eml").read_bytes()


def _sync(dovecot, store, folder):
    with ImapSession(settings_for(dovecot).imap()) as session:
        return sync_folder(
            session, store, account=ACCOUNT, folder=folder, now=datetime.now(UTC), auth=AUTH,
            backfill_days=30,
        )  # fmt: skip


def test_header_names_quoted_in_the_answer_are_found(dovecot, folder, store, monkeypatch):
    # Dovecot echoes the request's spelling: ask with quoted names and it answers
    # BODY[HEADER.FIELDS ("FROM" "SUBJECT")], the shape another server sends unasked.
    quoted = b'BODY.PEEK[HEADER.FIELDS ("FROM" "SUBJECT" "X-SIMPLELOGIN-ORIGINAL-FROM")]'
    monkeypatch.setattr(session_module, "HEADER_FIELDS", quoted)
    append_all(dovecot, folder, [SHIPPED, other_mail(1), other_mail(2)])
    report = _sync(dovecot, store, folder)
    assert (report.examined, report.candidates, report.new_events) == (3, 1, 1)


def test_an_answer_without_the_items_asked_for_is_an_error_that_says_so(
    dovecot, folder, store, monkeypatch
):
    monkeypatch.setattr(session_module, "_HEADER_KEY_START", b"BODY[NO-SUCH-ITEM")
    append_all(dovecot, folder, [SHIPPED, other_mail(1)])
    with pytest.raises(ImapReplyError) as caught:
        _sync(dovecot, store, folder)
    message = str(caught.value)
    assert "answered the FETCH of 2 messages without the header lines and size asked for" in message
    assert "BODY[HEADER.FIELDS" in message  # what it did send, by item name
    assert store.max_uid(ACCOUNT, folder, dovecot.uidvalidity(folder)) == 0  # nothing skipped


def test_a_body_answer_it_cannot_use_is_an_error_too(dovecot, folder, store, monkeypatch):
    monkeypatch.setattr(session_module, "_WHOLE_KEY_START", b"BODY[NOPE]")
    append_all(dovecot, folder, [SHIPPED])
    with pytest.raises(ImapReplyError, match="without the message body asked for"):
        _sync(dovecot, store, folder)


def test_unusable_answers_that_last_raise_one_health_alert(dovecot, folder, tmp_path, monkeypatch):
    from aliwatch.daemon.store import Store  # noqa: PLC0415 - this test's own store

    monkeypatch.setattr(session_module, "_HEADER_KEY_START", b"BODY[NO-SUCH-ITEM")
    append_all(dovecot, folder, [SHIPPED])
    settings = settings_for(dovecot, imap_folders=(folder,), desktop_notify="off")
    out = io.StringIO()
    with Store.open(tmp_path / "state.db") as store:
        runner = Runner(settings, store, [ImapSource(settings.imap(), AUTH)], out)
        for attempt in range(1, REPLY_FAILURES_BEFORE_ALERT + 2):
            assert runner._guarded_pass() is False
            told = out.getvalue().count("aliwatch cannot read your mail server's answers")
            assert told == (attempt >= REPLY_FAILURES_BEFORE_ALERT)  # from the third, once

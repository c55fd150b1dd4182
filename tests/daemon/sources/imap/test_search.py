"""Candidates chosen by the server's UID SEARCH, against each real IMAP server (Dovecot, Cyrus):
never fewer than the header scan takes, the same mail recorded, the header scan when refused."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from structlog.testing import capture_logs

import aliwatch.daemon.sources.imap.sync as sync_module
from aliwatch.daemon.sources.imap import ImapError, ImapSession
from aliwatch.daemon.store import Store
from tests.daemon.sources.imap.conftest import (
    FIXTURE_MAILS,
    append_all,
    other_mail,
    settings_for,
    sync_once,
)
from tests.servers.cyrus import ImapServer
from tests.variants import RELAYS, SUBJECTS, forwarded_by_hand

pytestmark = pytest.mark.real_server

# Mail whose header lines alone make it a candidate, in shapes the fixtures lack.
ODD_ONES = [
    b"Subject: no sender at all\r\nMessage-ID: <odd-1@example.org>\r\n\r\nhello\r\n",
    b"From: Anna <anna@example.org>\r\nSubject: Fwd : look at this order\r\n\r\nx\r\n",
    b"From: Anna <anna@example.org>\r\nSubject: TR: RE: commande\r\n\r\nx\r\n",
    b"From: Anna <anna@example.org>\r\nSubject: =?utf-8?b?0J/QtdGA0LXRgdC7OiDQt9Cw0LrQsNC3?=\r\n"
    b"\r\nx\r\n",
    b"From: x@example.org\r\nX-Original-From: AliExpress <transaction@notice.aliexpress.com>\r\n"
    b"Subject: hi\r\n\r\nx\r\n",
    b"From: =?utf-8?q?AliExpress?= <service@notice.aliexpress.com>\r\nSubject: hi\r\n\r\nx\r\n",
]


def _variants(raw: bytes) -> list[bytes]:
    """The mail relayed, with its subject rewritten, and forwarded by hand; those that apply."""
    edits: list[Callable[[bytes], bytes]] = [*RELAYS.values(), *SUBJECTS.values()]
    edits.append(forwarded_by_hand)
    found = []
    for edit in edits:
        try:
            found.append(edit(raw))
        except (ValueError, KeyError, AttributeError, TypeError):
            continue  # a variant that needs what this mail lacks (a From, a subject)
    return found


def _corpus() -> list[bytes]:
    mails = [path.read_bytes() for path in FIXTURE_MAILS]
    for raw in mails[::6]:
        mails += _variants(raw)
    return mails + ODD_ONES + [other_mail(n) for n in range(20)]


CORPUS = _corpus()
_FILLED: dict[int, str] = {}


@pytest.fixture
def corpus(imap_server: ImapServer) -> str:
    """A folder holding CORPUS on this server, appended once for every test here: they only
    read it (EXAMINE)."""
    if id(imap_server) not in _FILLED:
        name = f"search-corpus-{uuid.uuid4().hex[:8]}"
        imap_server.recreate_folder(name)
        append_all(imap_server, name, CORPUS)
        _FILLED[id(imap_server)] = name
    return _FILLED[id(imap_server)]


def _sync(server: ImapServer, db: Path, folder: str, session: ImapSession | None = None) -> int:
    """Sync into a store at `db` (on `session`, else a new one); the number of candidates."""
    with Store.open(db) as store:
        return sync_once(server, store, folder, session).candidates


def _recorded(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        mails = conn.execute("SELECT uid, status, message_id, error FROM mails ORDER BY uid")
        events = conn.execute("SELECT message_key, kind, event FROM events ORDER BY message_key")
        return mails.fetchall(), events.fetchall()


def test_the_search_finds_every_mail_the_header_scan_takes(imap_server, corpus):
    folder = corpus
    with ImapSession(settings_for(imap_server).imap()) as session:
        session.select_readonly(folder)
        uids = session.search_uids_since(1, None)
        headers = session.fetch_headers(uids)
        by_headers = {
            u for u, f in headers.items() if f is not None and sync_module.is_candidate(f[0])
        }
        by_search = set(session.search_any(uids, sync_module.CANDIDATE_KEYS))
    assert len(uids) == len(CORPUS)
    assert len(by_headers) > len(FIXTURE_MAILS) // 2  # the corpus is mostly candidates
    missed = sorted(by_headers - by_search)
    assert not missed, [headers[uid] for uid in missed]
    assert len(by_search) < len(uids)  # and the search does choose


def test_a_large_sync_records_exactly_what_the_header_scan_records(
    imap_server, corpus, tmp_path, monkeypatch
):
    folder = corpus
    monkeypatch.setattr(sync_module, "HEADER_BATCH", 64)  # searched in several chunks
    monkeypatch.setattr(sync_module, "SEARCH_ABOVE", 10**9)
    scanned = _sync(imap_server, tmp_path / "scan.db", folder)
    monkeypatch.setattr(sync_module, "SEARCH_ABOVE", 0)
    with capture_logs() as logs:
        searched = _sync(imap_server, tmp_path / "search.db", folder)
    start = next(entry for entry in logs if entry["event"] == "imap.sync.start")
    assert start["candidates_by"] == "search"
    assert searched == scanned > 0
    assert _recorded(tmp_path / "search.db") == _recorded(tmp_path / "scan.db")


def test_a_server_that_refuses_the_search_gets_the_header_scan(
    imap_server, corpus, tmp_path, monkeypatch
):
    folder = corpus
    scanned = _sync(imap_server, tmp_path / "scan.db", folder)
    monkeypatch.setattr(sync_module, "SEARCH_ABOVE", 0)

    def refuse(*_args: object) -> list[int]:
        raise ImapError("NO [BADCHARSET] (US-ASCII) searching in UTF-8 is not supported")

    with ImapSession(settings_for(imap_server).imap()) as session, capture_logs() as logs:
        session.search_any = refuse  # type: ignore[method-assign]
        refused = _sync(imap_server, tmp_path / "refused.db", folder, session)
    refusals = [entry for entry in logs if entry["event"] == "imap.sync.search_refused"]
    assert len(refusals) == 1 and "BADCHARSET" in refusals[0]["reason"]  # said once, then scanned
    assert refused == scanned
    assert _recorded(tmp_path / "refused.db") == _recorded(tmp_path / "scan.db")

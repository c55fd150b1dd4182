"""IDLE that keeps failing is rested and the daemon polls; one that works again is trusted."""

from __future__ import annotations

import threading

from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.sources.imap import ImapConnectError
from aliwatch.daemon.sources.imap.source import IDLE_FAILURES_BEFORE_PAUSE, ImapSource
from aliwatch.parsers import AuthPolicy

STOP = threading.Event()


def _source(monkeypatch, attempts: list[int]) -> ImapSource:
    source = ImapSource(Settings(imap_host="imap.example.org", imap_user="u").imap(), AuthPolicy())

    def failing_idle_session(watch):  # type: ignore[no-untyped-def]
        attempts.append(1)
        raise ImapConnectError("the server dropped the idle connection")

    monkeypatch.setattr(source, "_watching_session", failing_idle_session)
    return source


def test_each_idle_failure_asks_for_a_sync_until_idle_is_rested(monkeypatch):
    attempts: list[int] = []
    source = _source(monkeypatch, attempts)
    answers = [source.wait_for_mail(0.01, STOP) for _ in range(IDLE_FAILURES_BEFORE_PAUSE)]
    assert answers == [True] * IDLE_FAILURES_BEFORE_PAUSE
    assert len(attempts) == IDLE_FAILURES_BEFORE_PAUSE


def test_after_repeated_failures_it_waits_without_trying_idle(monkeypatch):
    attempts: list[int] = []
    source = _source(monkeypatch, attempts)
    for _ in range(IDLE_FAILURES_BEFORE_PAUSE):
        source.wait_for_mail(0.01, STOP)
    assert source.wait_for_mail(0.01, STOP) is False  # the poll job syncs meanwhile
    assert len(attempts) == IDLE_FAILURES_BEFORE_PAUSE


def test_a_working_idle_in_between_resets_the_count(monkeypatch):
    attempts: list[int] = []
    source = _source(monkeypatch, attempts)
    source.wait_for_mail(0.01, STOP)
    source.wait_for_mail(0.01, STOP)

    class Working:
        """An armed watching connection on which nothing happens."""

        def poll(self, timeout, rearm_after):  # type: ignore[no-untyped-def]
            return False

    def working(watch):  # type: ignore[no-untyped-def]
        watch.session = Working()
        return watch.session

    monkeypatch.setattr(source, "_watching_session", working)
    source.wait_for_mail(0.01, STOP)  # armed
    source.wait_for_mail(0.01, STOP)  # a working wait: the failures in a row are forgotten
    for watch in source._watches:
        watch.session = None
    monkeypatch.setattr(
        source, "_watching_session", _source(monkeypatch, attempts)._watching_session
    )
    before = len(attempts)
    # Without the reset the first of these would be the third failure in a row and the
    # second would not try IDLE at all.
    assert [source.wait_for_mail(0.01, STOP) for _ in range(2)] == [True, True]
    assert len(attempts) == before + 2


def test_the_status_line_says_idle_then_polling_once_idle_is_rested(monkeypatch):
    attempts: list[int] = []
    source = _source(monkeypatch, attempts)
    assert source.activity == "idle on INBOX"
    for _ in range(IDLE_FAILURES_BEFORE_PAUSE):
        source.wait_for_mail(0.01, STOP)
    assert source.activity == "polling INBOX every 300 s"

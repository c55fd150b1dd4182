"""The watching connection on each real IMAP server (Dovecot, Cyrus): IDLE stays armed across
syncs and fails loudly."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from aliwatch.daemon.sources.imap import ImapConnectError
from aliwatch.daemon.sources.imap.source import WatchingSession
from tests.daemon.sources.imap.conftest import other_mail, settings_for
from tests.servers.cyrus import ImapServer

pytestmark = pytest.mark.real_server
NEVER = threading.Event()


@pytest.fixture
def watching(imap_server: ImapServer, folder: str) -> Iterator[WatchingSession]:
    session = WatchingSession(settings_for(imap_server).imap())
    session.connect()
    session.select_readonly(folder)
    try:
        yield session
    finally:
        session.logout()


def test_the_first_wait_arms_idle_and_asks_for_a_sync(watching):
    # Mail from before IDLE is not announced by Dovecot, so arming must be followed by a sync.
    assert watching.wait(30, NEVER, rearm_after=1500) is True


def test_mail_arriving_while_the_daemon_syncs_elsewhere_is_announced(imap_server, folder, watching):
    watching.wait(30, NEVER, rearm_after=1500)  # armed; the caller would now sync
    imap_server.append(folder, other_mail(1))  # lands during that sync, before the next wait
    started = time.monotonic()
    assert watching.wait(30, NEVER, rearm_after=1500) is True
    assert time.monotonic() - started < 10  # announced, not found by a later periodic check


def test_a_wait_without_mail_returns_false_and_stays_armed(imap_server, folder, watching):
    watching.wait(30, NEVER, rearm_after=1500)
    assert watching.wait(1.5, NEVER, rearm_after=1500) is False
    imap_server.append(folder, other_mail(2))
    assert watching.wait(30, NEVER, rearm_after=1500) is True


def test_idle_is_reissued_after_rearm_after_seconds_and_asks_for_a_sync(watching):
    watching.wait(30, NEVER, rearm_after=1.0)
    started = time.monotonic()
    assert watching.wait(30, NEVER, rearm_after=1.0) is True
    assert time.monotonic() - started < 5
    assert watching.wait(0.2, NEVER, rearm_after=1500) is False  # still a working connection


def test_a_set_stop_flag_ends_the_wait_within_two_seconds(watching):
    watching.wait(30, NEVER, rearm_after=1500)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    assert watching.wait(60, stop, rearm_after=1500) is False
    assert time.monotonic() - started < 2.5


def test_a_server_restart_during_idle_raises_a_connect_error_promptly(imap_server, watching):
    watching.wait(30, NEVER, rearm_after=1500)
    imap_server.restart()
    started = time.monotonic()
    with pytest.raises(ImapConnectError):
        watching.wait(60, NEVER, rearm_after=1500)
    assert time.monotonic() - started < 15  # not left hanging until the 25-minute re-issue

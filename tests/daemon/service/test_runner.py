"""The daemon loop: READY=1 after the first sync, a mailbox never reached ends it, later failures
retried with their reason in the log and in STATUS=, refused logins alerted once, a prompt stop."""

from __future__ import annotations

import io
import socket
import threading
from datetime import datetime

import pytest
from structlog.testing import capture_logs

from aliwatch.daemon.config.errors import exit_status
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.service.backoff import Backoff
from aliwatch.daemon.service.runner import Runner, StartupConfigError, StartupError
from aliwatch.daemon.sources.imap.errors import (
    ImapAuthError,
    ImapConnectError,
    ImapError,
    ImapTLSError,
)
from aliwatch.daemon.sources.local import LocalMailbox
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy
from tests.support import MAILBOX, NOW, disk_full, wait_until


class RefusedLogin:
    name = "imap:refused"
    activity = "refused"

    def __init__(self) -> None:
        self.calls = 0

    def sync(self, store: Store, now: datetime) -> int:
        self.calls += 1
        raise ImapAuthError("login refused for the configured user")

    def wait_for_mail(self, seconds: float, stop: threading.Event) -> bool | None:
        return None

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


def runner(tmp_path, sources, out, backoff=None) -> Runner:
    store = Store.open(tmp_path / "db.sqlite")
    return Runner(Settings(), store, sources, out, clock=lambda: NOW, backoff=backoff or Backoff())


def start(tmp_path, sources, out, backoff=None) -> tuple[threading.Event, threading.Thread]:
    """Run the loop in a thread that opens its own store (SQLite connections stay per thread)."""
    stop = threading.Event()

    def target() -> None:
        r = runner(tmp_path, sources, out, backoff)
        r.stop = stop
        with r.store:
            r.run()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return stop, thread


def test_ready_is_sent_after_the_first_successful_sync(tmp_path, monkeypatch):
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(path)
        systemd.settimeout(30)
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        out = io.StringIO()
        stop, thread = start(tmp_path, [LocalMailbox(MAILBOX, AuthPolicy())], out)
        messages = [systemd.recv(200), systemd.recv(200)]
        # Alerts go out from the delivery worker, after READY=1: wait for it before stopping,
        # since a stop leaves undelivered alerts to the next start.
        delivered = wait_until(lambda: "The seller made a proposal" in out.getvalue(), 30)
        stop.set()
        thread.join(5)
    assert b"READY=1" in messages
    # The demo mailbox holds one dispute, with the seller's proposal waiting.
    assert f"STATUS=watching {MAILBOX}, 1 open dispute".encode() in messages
    assert not thread.is_alive()
    assert delivered


def test_three_refused_logins_alert_the_user_once(tmp_path):
    out = io.StringIO()
    source = RefusedLogin()
    fast = Backoff(start=0.01, cap=0.01, auth_wait=0.2)
    stop, thread = start(tmp_path, [source], out, fast)
    wait_until(lambda: source.calls >= 5, 10)
    stop.set()
    thread.join(5)
    assert out.getvalue().count("aliwatch cannot log in to your mailbox") == 1
    assert source.calls >= 5


def test_stop_interrupts_a_long_wait(tmp_path):
    out = io.StringIO()
    stop, thread = start(tmp_path, [LocalMailbox(MAILBOX, AuthPolicy())], out)
    # The first pass has delivered its alert; a wait of ALIWATCH_POLL_SECONDS follows.
    assert wait_until(lambda: "The seller made a proposal" in out.getvalue(), 30)
    stop.set()
    thread.join(2)
    assert not thread.is_alive()


class FullDiskOnce:
    """The demo mailbox, whose first sync finds the state store's disk full."""

    def __init__(self) -> None:
        self.inner = LocalMailbox(MAILBOX, AuthPolicy())
        self.name = self.inner.name
        self.activity = self.inner.activity
        self.calls = 0

    def wait_for_mail(self, seconds: float, stop: threading.Event) -> bool | None:
        return self.inner.wait_for_mail(seconds, stop)

    def sync(self, store: Store, now: datetime) -> int:
        self.calls += 1
        if self.calls > 1:
            return self.inner.sync(store, now)
        with disk_full():
            return self.inner.sync(store, now)

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


def test_a_full_disk_is_waited_out_not_fatal(tmp_path, capsys):
    # capsys: log lines go to memory, as they go to the journal (a pipe) in service.
    out = io.StringIO()
    source = FullDiskOnce()
    stop, thread = start(tmp_path, [source], out, Backoff(start=0.01, cap=0.01))
    try:
        assert wait_until(lambda: "The seller made a proposal" in out.getvalue(), 30)
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(5)
    assert source.calls >= 2
    [said] = [line for line in capsys.readouterr().out.splitlines() if "store_failed" in line]
    # The database's path (whose file system to free room on), and the backoff to the next try.
    assert str(tmp_path / "db.sqlite") in said
    assert "retry_in=" in said


class Failing:
    """A mailbox whose syncs succeed `good` times, then fail with `error`."""

    name = "imap:failing"
    activity = "polling INBOX every 60 s"

    def __init__(self, error: ImapError, good: int = 0) -> None:
        self.error, self.good, self.calls = error, good, 0

    def sync(self, store: Store, now: datetime) -> int:
        self.calls += 1
        if self.calls <= self.good:
            return 0
        raise self.error

    def wait_for_mail(self, seconds: float, stop: threading.Event) -> bool | None:
        return True  # "mail came": sync again as soon as the backoff allows

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


def _first_contact(error: ImapError) -> ImapError:
    error.first_contact = True
    return error


UNRESOLVED = "cannot resolve ALIWATCH_IMAP_HOST imap.aliwatch.invalid: Name or service not known"


@pytest.mark.parametrize(
    ("error", "raised", "status"),
    [
        (ImapConnectError(UNRESOLVED), StartupError, 1),
        (ImapTLSError("port 993 of h speaks TLS: set ALIWATCH_IMAP_SECURITY=ssl"),
         StartupConfigError, 2),
        (ImapAuthError("h:993 refused the login for alex"), StartupConfigError, 2),
    ],
)  # fmt: skip
def test_a_mailbox_never_reached_ends_run_with_the_reason(tmp_path, error, raised, status):
    source = Failing(_first_contact(error))
    r = runner(tmp_path, [source], io.StringIO())
    with capture_logs() as logs, r.store, pytest.raises(raised) as caught:
        r.run()
    assert str(caught.value) == str(error)
    assert exit_status(caught.value) == status
    assert source.calls == 1  # no silent retries until systemd's start timeout
    failed = next(line for line in logs if line["event"] == "start_failed")
    assert failed["reason"] == str(error)


def test_a_failure_after_ready_is_retried_with_its_reason_in_the_log_and_status(
    tmp_path, monkeypatch
):
    path = str(tmp_path / "notify")
    with capture_logs() as logs, socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(path)
        systemd.settimeout(30)
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        lost = "lost the connection to h:993: Connection reset by peer"
        source = Failing(_first_contact(ImapConnectError(lost)), good=1)
        stop, thread = start(tmp_path, [source], io.StringIO(), Backoff(start=0.05, cap=0.05))
        messages = [systemd.recv(300) for _ in range(4)]
        stop.set()
        thread.join(5)
    assert messages[0].startswith(b"STATUS=polling INBOX")
    assert messages[1] == b"READY=1"
    assert messages[2].startswith(b"STATUS=sync failed, retrying in ")
    assert messages[2].endswith(f": {lost}".encode())
    assert messages[3] == messages[2]  # retried, not ended
    assert not thread.is_alive()
    failed = next(line for line in logs if line["event"] == "sync_failed")
    assert failed["reason"] == lost
    assert failed["error"] == "ImapConnectError"

"""aliwatch's own alerts: no mailbox check for hours (once per outage), recovery, the digest."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, time, timedelta

import pytest

from daemon.alerts.housekeeping import (
    check_succeeded,
    digest_alert,
    run_started,
    stale_alert,
)
from daemon.backoff import Backoff
from daemon.imap.errors import ImapConnectError
from daemon.runner import Runner
from daemon.settings import Settings
from daemon.store import Store
from rules.policy import Policy

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "state.db") as opened:
        yield opened


def rules_of(store: Store) -> list[str]:
    return [alert.rule for alert in store.pending_alerts()]


def test_no_check_for_the_stale_hours_alerts_once_per_outage(store):
    check_succeeded(store, NOW, UTC)
    assert not stale_alert(store, NOW + 5 * HOUR, UTC, 6)
    assert stale_alert(store, NOW + 6 * HOUR, UTC, 6)
    assert not stale_alert(store, NOW + 9 * HOUR, UTC, 6)  # same outage, no second alert
    assert rules_of(store) == ["stale"]


def test_the_first_check_after_an_alerted_outage_says_it_recovered(store):
    check_succeeded(store, NOW, UTC)
    stale_alert(store, NOW + 7 * HOUR, UTC, 6)
    assert check_succeeded(store, NOW + 8 * HOUR, UTC)
    assert not check_succeeded(store, NOW + 9 * HOUR, UTC)  # no outage any more
    assert rules_of(store) == ["stale", "recovered"]
    assert stale_alert(store, NOW + 16 * HOUR, UTC, 6)  # a new outage, a new alert


def test_a_daemon_that_never_checked_counts_from_its_start(store):
    run_started(store, NOW)
    assert not stale_alert(store, NOW + 5 * HOUR, UTC, 6)
    assert stale_alert(store, NOW + 6 * HOUR, UTC, 6)


def test_the_digest_comes_once_a_day_from_its_time_on(store):
    at = time(8)
    assert not digest_alert(store, NOW.replace(hour=7), UTC, at, Policy())
    assert digest_alert(store, NOW.replace(hour=8), UTC, at, Policy())
    assert not digest_alert(store, NOW.replace(hour=20), UTC, at, Policy())
    assert digest_alert(store, NOW.replace(hour=8) + timedelta(days=1), UTC, at, Policy())
    assert rules_of(store) == ["digest", "digest"]


class Down:
    name = "imap:down"

    def sync(self, store, now):  # type: ignore[no-untyped-def]
        raise ImapConnectError("the server is down")


def test_the_dead_man_alert_goes_out_while_the_mailbox_is_unreachable(tmp_path, monkeypatch):
    """The loop keeps running the minute job during the backoff: that is when it matters."""
    monkeypatch.setattr("daemon.runner.RULES_EVERY_SECONDS", 1)
    clock = {"now": NOW}
    out = io.StringIO()
    stop = threading.Event()

    def target() -> None:
        with Store.open(tmp_path / "db.sqlite") as store:
            check_succeeded(store, NOW - 7 * HOUR, UTC)  # the last good check, 7 h ago
            runner = Runner(
                Settings(stale_hours=6), store, [Down()], out,
                clock=lambda: clock["now"], stop=stop, backoff=Backoff(start=60, cap=60),
            )  # fmt: skip
            runner.run()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    for _ in range(100):
        if "has not been able to check your mailbox" in out.getvalue():
            break
        stop.wait(0.1)
    stop.set()
    thread.join(5)
    assert "aliwatch has not been able to check your mailbox for 6 hours" in out.getvalue()


def test_restarts_do_not_reset_the_time_a_daemon_that_never_checked_counts_from(store):
    run_started(store, NOW)
    run_started(store, NOW + 5 * HOUR)  # systemd restarted it; still no successful check
    assert stale_alert(store, NOW + 6 * HOUR, UTC, 6)

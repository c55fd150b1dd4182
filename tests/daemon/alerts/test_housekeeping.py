"""aliwatch's own alerts: no mailbox check for hours (once per outage), recovery, the digest."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, time, timedelta

from aliwatch.daemon.alerts.housekeeping import (
    check_succeeded,
    digest_alert,
    run_started,
    stale_alert,
)
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.service.backoff import Backoff
from aliwatch.daemon.service.runner import Runner
from aliwatch.daemon.sources.imap.errors import ImapConnectError
from aliwatch.daemon.store import Store
from aliwatch.rules.policy import Policy
from tests.support import NOW, pending_alerts, wait_until

HOUR = timedelta(hours=1)


def rules_of(store: Store) -> list[str]:
    return [alert.rule for alert in pending_alerts(store)]


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
    activity = "down"

    def sync(self, store, now):  # type: ignore[no-untyped-def]
        raise ImapConnectError("the server is down")

    def wait_for_mail(self, seconds, stop):  # type: ignore[no-untyped-def]
        return None

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


def test_the_dead_man_alert_goes_out_while_the_mailbox_is_unreachable(tmp_path, monkeypatch):
    """The loop keeps running the minute job during the backoff: that is when it matters."""
    monkeypatch.setattr("aliwatch.daemon.service.runner.RULES_EVERY_SECONDS", 1)
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
    wait_until(lambda: "has not been able to check your mailbox" in out.getvalue(), 10)
    stop.set()
    thread.join(5)
    assert "aliwatch has not been able to check your mailbox for 6 hours" in out.getvalue()


def test_restarts_do_not_reset_the_time_a_daemon_that_never_checked_counts_from(store):
    run_started(store, NOW)
    run_started(store, NOW + 5 * HOUR)  # systemd restarted it; still no successful check
    assert stale_alert(store, NOW + 6 * HOUR, UTC, 6)


# -- recognition drift ---------------------------------------------------------------------------

from aliwatch.daemon.alerts.housekeeping import drift_alerts  # noqa: E402
from aliwatch.daemon.store import MailKey  # noqa: E402
from aliwatch.parsers.event import Event, Kind  # noqa: E402 - the drift tests' own imports

_UID = iter(range(1, 10_000))


def record(store: Store, kind: Kind, subject: str, sent: datetime) -> None:
    uid = next(_UID)
    event = Event(kind, subject=subject, sent_at=sent, message_id=f"<{uid}@x>")
    store.record(
        MailKey("buyer@example.org", "INBOX", 1, uid), event, raw_digest=f"{uid:064x}",
        status="ok", error=None, now=sent,
    )  # fmt: skip


def drift_keys(store: Store) -> list[str]:
    return [alert.key for alert in pending_alerts(store) if alert.rule == "drift"]


def test_three_unrecognised_in_a_row_of_one_shape_alert_once(store):
    for n in range(2):
        record(store, Kind.UNRECOGNIZED, f"Order 82000000000000{n}0: shiny new status", NOW - HOUR)
    assert drift_alerts(store, NOW, UTC) == 0
    record(store, Kind.UNRECOGNIZED, "ORDER 8200000000000099 – Shiny new status!", NOW)
    assert drift_alerts(store, NOW, UTC) == 1
    assert drift_keys(store) == ["drift:order # shiny new status"]
    record(store, Kind.UNRECOGNIZED, "Order 8200000000000077: shiny new status", NOW)
    assert drift_alerts(store, NOW + HOUR, UTC) == 0  # once per shape


def test_a_shape_recognised_again_is_not_drift(store):
    for n in range(3):
        record(store, Kind.UNRECOGNIZED, f"Order 82000000000000{n}0: shiny", NOW - 5 * HOUR)
    record(store, Kind.ORDER_SHIPPED, "Order 8200000000000050: shiny", NOW - HOUR)
    assert drift_alerts(store, NOW, UTC) == 0  # the last three of the shape are not all missed


def test_more_than_a_fifth_of_a_weeks_mail_unrecognised_alerts(store):
    for n in range(3):
        record(store, Kind.ORDER_SHIPPED, f"Order 82000000000000{n}1: order shipped", NOW - HOUR)
    record(store, Kind.UNRECOGNIZED, "Your package is taking a nap", NOW - HOUR)
    assert drift_alerts(store, NOW, UTC) == 0  # 1 of 4: fewer than five mails
    record(store, Kind.UNRECOGNIZED, "Something else entirely", NOW - HOUR)
    assert drift_alerts(store, NOW, UTC) == 1  # 2 of 5
    assert len(drift_keys(store)) == 1


def test_a_fifth_or_less_is_not_drift_nor_is_old_mail(store):
    for n in range(8):
        record(store, Kind.ORDER_SHIPPED, f"Order 82000000000000{n}1: order shipped", NOW - HOUR)
    record(store, Kind.UNRECOGNIZED, "Your package is taking a nap", NOW - HOUR)
    for n in range(3):
        record(store, Kind.UNRECOGNIZED, f"Old news {n}0", NOW - timedelta(days=40))
    assert drift_alerts(store, NOW, UTC) == 0

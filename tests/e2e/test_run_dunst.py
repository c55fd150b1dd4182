"""`aliwatch run` end to end on the suite's real servers: Dovecot (IDLE), aiosmtpd and dunst under
Xvfb. A proposal arriving during IDLE is one mail and one critical notification, and "Snooze 1
day" clicked in dunst snoozes the order in the daemon's store."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from aliwatch.daemon.store import Store
from tests.e2e.test_run_imap import PROPOSAL_MAIL, env_for
from tests.servers.dovecot import Dovecot
from tests.servers.dunst import Dunst
from tests.servers.smtp import SmtpServer
from tests.support import ALIWATCH, Daemon, log_has, wait_until

pytestmark = pytest.mark.real_server

ORDER = "8200000000000303"  # the order of PROPOSAL_MAIL
WAIT = 30.0


def unrelated_mail() -> bytes:
    """A mail from nobody AliExpress: examined by the sync, never an event."""
    mail = EmailMessage()
    mail["From"] = "Newsletter <news@example.com>"
    mail["To"] = "user@example.com"
    mail["Subject"] = "Our weekly news"
    mail["Date"] = "Tue, 01 Dec 2026 09:00:00 +0000"
    mail["Message-ID"] = "<weekly-news-1@example.com>"
    mail.set_content("Nothing about any order.\n")
    return mail.as_bytes()


def logged_after(lines: list[str], start: int, event: str, *fields: str) -> int | None:
    """The index of the first JSON log line from `start` on that names `event` with `fields`."""
    needle = f'"event": "{event}"'
    for index in range(start, len(lines)):
        line = lines[index]
        if needle in line and all(f in line for f in fields):
            return index
    return None


def alerts_json(env: dict[str, str]) -> list[dict]:
    """`aliwatch alerts --json` on the daemon's database, as another process reads it."""
    result = subprocess.run(
        [ALIWATCH, "alerts", "--json"], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def deliveries(env: dict[str, str]) -> dict[str, str]:
    """Each channel's delivery state of the one alert stored, by channel."""
    [alert] = alerts_json(env)
    return {d["channel"]: d["state"] for d in alert["deliveries"]}


def test_a_proposal_during_idle_is_one_mail_and_one_critical_dunst_notification_and_snooze_works(
    dovecot: Dovecot, smtp_server: SmtpServer, dunst: Dunst, tmp_path: Path
):
    dovecot.recreate_folder("dunstidle")
    env = env_for(dovecot, tmp_path, "dunstidle") | smtp_server.env()
    # daemon/alerts/channels/session_bus.py: the desktop channel takes the bus from the environment.
    env |= {"ALIWATCH_DESKTOP_NOTIFY": "on", "DBUS_SESSION_BUS_ADDRESS": dunst.address}
    db_path = Path(env["ALIWATCH_DB_PATH"])
    with Daemon(env) as daemon:
        assert wait_until(log_has(daemon.log, "sync_done"), WAIT), daemon.log
        assert wait_until(log_has(daemon.log, "idle_armed"), WAIT), daemon.log
        dovecot.append("dunstidle", PROPOSAL_MAIL.read_bytes())

        assert smtp_server.recorder.wait_for(1, WAIT), daemon.log
        assert wait_until(lambda: dunst.displayed() >= 1, WAIT), daemon.log

        # No second alert comes: a later mail makes the daemon sync, decide and deliver again.
        start = len(daemon.log)
        dovecot.append("dunstidle", unrelated_mail())

        def synced() -> int | None:  # the sync that examined the unrelated mail
            return logged_after(daemon.log, start, "imap.sync.done", '"examined": 1')

        def decided() -> int | None:  # the rules that ran after that sync
            return logged_after(daemon.log, synced() or len(daemon.log), "rules_done")

        assert wait_until(lambda: decided() is not None, WAIT), daemon.log[start:]
        assert '"new_alerts": 0' in daemon.log[decided() or 0], daemon.log[start:]
        # Every alert decided has been delivered on both channels: nothing is left to send.
        [alert] = alerts_json(env)
        assert alert["order_id"] == ORDER and alert["rule"] == "proposal_waiting", alert
        assert alert["urgent"] is True, alert
        sent = {"email": "sent", "desktop": "sent"}
        assert wait_until(lambda: deliveries(env) == sent, WAIT), alerts_json(env)
        assert len(smtp_server.messages) == 1, [m["Subject"] for m in smtp_server.messages]
        assert dunst.displayed() == 1
        assert dunst.history() == []

        def sends() -> int:
            return sum('"event": "alert_sent"' in line for line in daemon.log)

        assert wait_until(lambda: sends() >= 2, WAIT), daemon.log  # logged once recorded
        assert sends() == 2, daemon.log

        # "Snooze 1 day" through dunst's context menu, on the daemon's own notification.
        def snoozed_until() -> datetime | None:
            with Store.open(db_path) as store:
                return store.snoozed_until(ORDER)

        assert snoozed_until() is None
        before = datetime.now(UTC)
        offered = dunst.menu("Snooze 1 day")
        assert wait_until(snoozed_until, WAIT), (offered, daemon.log)
        after = datetime.now(UTC)
        until = snoozed_until()
        assert until is not None
        assert before + timedelta(days=1) <= until <= after + timedelta(days=1), (before, until)
        assert wait_until(
            log_has(daemon.log, "desktop_action", '"action": "snooze-1d"', f'"order": "{ORDER}"'),
            WAIT,
        ), daemon.log
        snoozes = [line for line in offered if "[" in line and ",snooze-1d]" in line]
        assert len(snoozes) == 1, offered  # one notification on screen offered it

        # The one notification, as dunst drew it: critical.
        [shown] = dunst.close_all()
        assert shown["appname"] == "aliwatch"
        assert str(shown["message"]).startswith("urgency: critical\n"), shown
        assert ORDER in str(shown["summary"]) + str(shown["body"]), shown

        assert daemon.sigterm(WAIT) == 0, daemon.log
    assert len(smtp_server.messages) == 1

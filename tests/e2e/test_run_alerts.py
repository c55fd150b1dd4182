"""`aliwatch run` end to end: Dovecot in, alerts out by SMTP and on the desktop bus, each once."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from tests.e2e.test_run_imap import ALIWATCH, PROPOSAL_MAIL, env_for
from tests.servers.dovecot import Dovecot
from tests.support import NOW_TEXT as NOW
from tests.support import log_has, read_lines, wait_until

pytestmark = pytest.mark.real_server
TITLE = "Answer the seller's proposal by Thu 3 Dec 23:59 — order 8200000000000303"
SUBJECT = f"[URGENT] {TITLE}"  # the mail's; the notification is critical instead


def _alert_env(dovecot: Dovecot, smtp_server, session_bus, tmp_path, folder: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return (
        env_for(dovecot, tmp_path, folder)
        | smtp_server.env()
        | {
            "ALIWATCH_TIMEZONE": "America/Los_Angeles",
            "ALIWATCH_DESKTOP_NOTIFY": "on",
            "DBUS_SESSION_BUS_ADDRESS": session_bus.address,
        }
    )


def test_a_proposal_arriving_during_idle_is_mailed_within_3_s_and_shown_once(
    dovecot, smtp_server, session_bus, tmp_path
):
    dovecot.recreate_folder("alerts")
    env = _alert_env(dovecot, smtp_server, session_bus, tmp_path, "alerts")
    process = subprocess.Popen(
        [ALIWATCH, "run", "--now", NOW], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    log = read_lines(process.stderr)
    try:
        assert wait_until(log_has(log, "idle_armed"), 30)  # in IDLE now
        dovecot.append("alerts", PROPOSAL_MAIL.read_bytes())
        arrived = time.monotonic()
        assert wait_until(lambda: len(smtp_server.messages) >= 1, 10)
        mailed_after = time.monotonic() - arrived
        assert session_bus.wait_for(1, 10)
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    # Stopped: every send it made is in by now, so a second copy would be counted below.
    assert mailed_after <= 3.0
    assert [m["Subject"] for m in smtp_server.messages] == [SUBJECT]
    [shown] = session_bus.notifications()
    assert shown["summary"] == TITLE and shown["hints"]["urgency"] == 2
    assert not any(smtp_server.env()["ALIWATCH_SMTP_PASSWORD"] in line for line in log)


def test_an_alert_decided_before_a_sigkill_is_delivered_once_after_restart(
    dovecot, smtp_server, session_bus, tmp_path
):
    dovecot.recreate_folder("killed-alert")
    dovecot.append("killed-alert", PROPOSAL_MAIL.read_bytes())
    env = _alert_env(dovecot, smtp_server, session_bus, tmp_path, "killed-alert")
    env["ALIWATCH_DESKTOP_NOTIFY"] = "off"
    smtp_server.stop()  # decided and stored, but the send cannot go through
    process = subprocess.Popen(
        [ALIWATCH, "run", "--now", NOW], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    log = read_lines(process.stderr)
    assert wait_until(lambda: any("alert_send_failed" in line for line in log), 30)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL
    smtp_server.start()
    for later in ("2026-11-26T12:01:00Z", "2026-11-26T12:02:00Z"):  # after the retry delay
        again = subprocess.run(
            [ALIWATCH, "run", "--once", "--now", later], env=env,
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        assert again.returncode == 0, again.stderr
    # Both runs have ended: their sends are all in, a second copy would be counted here.
    assert [m["Subject"] for m in smtp_server.messages] == [SUBJECT]

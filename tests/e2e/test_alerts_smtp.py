"""`aliwatch alerts` after `aliwatch run --once` on the suite's real servers (Dovecot, aiosmtpd):
a mail server that was down makes `run --once` exit 1 naming what was not delivered, shows as
the email channel's error, and its later success too."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aliwatch.daemon.alerts.outbox import retry_delay
from tests.e2e.test_run_imap import PROPOSAL_MAIL, env_for
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.support import ALIWATCH

pytestmark = pytest.mark.real_server

ORDER = "8200000000000303"  # the order of PROPOSAL_MAIL
FIRST = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # its proposal's deadline is 4 Dec 07:59 UTC


def aliwatch(env: dict[str, str], *args: str, now: datetime, status: int = 0) -> str:
    """`aliwatch ARGS --now NOW` as its own process; its stdout, then its stderr (it must
    exit with `status`)."""
    result = subprocess.run(
        [ALIWATCH, *args, "--now", now.isoformat()], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == status, (args, result.stdout, result.stderr)
    return result.stdout + result.stderr


def email_delivery(env: dict[str, str], now: datetime) -> dict:
    """The email delivery of the one alert `aliwatch alerts --json` lists."""
    [alert] = json.loads(aliwatch(env, "alerts", "--json", now=now))
    assert alert["order_id"] == ORDER and alert["rule"] == "proposal_waiting", alert
    [delivery] = alert["deliveries"]
    assert delivery["channel"] == "email", alert
    return delivery


def test_alerts_shows_the_smtp_error_while_the_server_was_down_then_the_later_send(
    dovecot: Dovecot, smtp_server: SmtpServer, tmp_path: Path
):
    dovecot.recreate_folder("smtpdown")
    dovecot.append("smtpdown", PROPOSAL_MAIL.read_bytes())
    env = env_for(dovecot, tmp_path, "smtpdown") | smtp_server.env()
    env["ALIWATCH_DESKTOP_NOTIFY"] = "off"
    where = f"{smtp_server.host}:{smtp_server.port}"

    smtp_server.stop()
    said = aliwatch(env, "run", "--once", now=FIRST, status=1)
    last = said.splitlines()[-1]
    assert last.startswith("aliwatch: 1 alert not delivered on email ("), said
    assert f"{where} refused the connection" in last, said
    assert "stay queued" in last, said
    failed = email_delivery(env, FIRST)
    assert failed["state"] == "failed", failed
    assert failed["attempts"] >= 1, failed
    assert failed["sent_at"] is None, failed
    assert where in failed["last_error"], failed
    text = aliwatch(env, "alerts", now=FIRST)
    assert f"order {ORDER}" in text, text
    assert "failed once, next try" in text and where in text, text
    assert failed["last_error"] in text, text

    smtp_server.start()
    # After the retry delay of the first failure: the second run tries the mail again.
    second = FIRST + retry_delay(1) + timedelta(seconds=30)
    aliwatch(env, "run", "--once", now=second)
    sent = email_delivery(env, second)
    assert sent["state"] == "sent", sent
    assert sent["sent_at"] == second.isoformat().replace("+00:00", "Z"), sent
    assert sent["next_try"] is None, sent
    assert smtp_server.recorder.wait_for(1, 30)
    assert len(smtp_server.messages) == 1, [m["Subject"] for m in smtp_server.messages]
    assert ORDER in str(smtp_server.messages[0]["Subject"]) + smtp_server.messages[0].as_string()
    text = aliwatch(env, "alerts", now=second)
    assert "failed" not in text and where not in text, text

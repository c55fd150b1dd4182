"""`aliwatch unknown` and the drift alert, on files and on each real IMAP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.e2e.test_run_imap import env_for
from tests.servers.cyrus import ImapServer
from tests.support import NOW, REPO

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
FIXTURES = REPO / "tests" / "fixtures"
DRIFT = "AliExpress mail is no longer recognised: a template probably changed"


def new_template_mail(n: int, sent: datetime, *, refund: bool = False) -> bytes:
    """An AliExpress mail of a template no row knows (a 'new' status), with a navigation bar."""
    order = f"82009999000000{n:02d}"
    msg = EmailMessage()
    msg["From"] = "AliExpress <transaction@notice.aliexpress.com>"
    msg["To"] = "max@example.org"
    msg["Subject"] = f"Bestellung {order}: Ihr Paket hat ein Upgrade erhalten"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = f"<new-template-{n}@notice.aliexpress.com>"
    words = "Wir haben eine Rückerstattung beantragt." if refund else "Es gibt etwas Neues."
    msg.set_content(
        "<html><body><p>Expresslieferung</p><p>Kostenlose Rückgabe</p>"
        f"<p>Hallo Max,</p><p>für Ihre Bestellung {order} gibt es Neuigkeiten. {words}</p>"
        "<p>Diese E-Mail wurde an max@example.org gesendet.</p></body></html>",
        subtype="html",
    )
    return bytes(msg)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALIWATCH, *args], capture_output=True, text=True, env=env, check=False, timeout=120
    )


@pytest.fixture
def env(tmp_path):
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ALIWATCH_DB_PATH": str(tmp_path / "aliwatch.db"),
        "ALIWATCH_TIMEZONE": "Europe/Berlin",
    }


def test_unknown_lists_unrecognised_mail_newest_first_with_shapes(env, tmp_path):
    for n in range(3):
        (tmp_path / f"new{n}.eml").write_bytes(new_template_mail(n, NOW - timedelta(days=3 - n)))
    (tmp_path / "refund.eml").write_bytes(
        new_template_mail(9, NOW - timedelta(days=5), refund=True)
    )
    shipped = FIXTURES / "order" / "order_shipped_en.eml"
    imported = run(env, "import", str(tmp_path), str(shipped), "--now", NOW.isoformat())
    assert imported.returncode == 0, imported.stderr

    text = run(env, "unknown", "--now", NOW.isoformat()).stdout
    assert text.startswith("4 unrecognised AliExpress mails, newest first:")
    lines = text.splitlines()
    assert "8200999900000002" in lines[2] and "8200999900000009" in lines[5]  # newest first
    assert "ATTENTION" in lines[5] and "ATTENTION" not in lines[2]  # not for "Kostenlose Rückgabe"
    assert "     4  Bestellung <n>: Ihr Paket hat ein Upgrade erhalten" in text
    assert f"aliwatch anonymize {tmp_path / 'new2.eml'} -o new-template.eml" in text

    data = json.loads(
        run(env, "unknown", "--json", "--since", "4d", "--now", NOW.isoformat()).stdout
    )
    assert [m["order_ids"] for m in data["mails"]] == [
        ["8200999900000002"],
        ["8200999900000001"],
        ["8200999900000000"],
    ]
    first = data["mails"][0]
    assert first["file"] == str(tmp_path / "new2.eml") and first["uid"] is None
    assert first["subject"] == "Bestellung 8200999900000002: Ihr Paket hat ein Upgrade erhalten"
    assert first["date"] == (NOW - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert data["shapes"] == [
        {"shape": "Bestellung <n>: Ihr Paket hat ein Upgrade erhalten", "count": 3}
    ]


def test_unknown_with_nothing_unrecognised_says_so(env):
    run(env, "import", str(FIXTURES / "order" / "order_shipped_en.eml"))
    assert run(env, "unknown").stdout == "every AliExpress mail in the store was recognised\n"


def test_unknown_refuses_a_since_it_cannot_read(env):
    result = run(env, "unknown", "--since", "last tuesday")
    assert result.returncode == 1
    assert "--since 'last tuesday': give a date" in result.stderr


def test_the_attention_alert_names_the_order_the_subject_and_the_date(env, tmp_path):
    (tmp_path / "refund.eml").write_bytes(
        new_template_mail(9, NOW - timedelta(days=1), refund=True)
    )
    out = run(env, "import", str(tmp_path / "refund.eml"), "--now", NOW.isoformat()).stdout
    # The mail carries no Authentication-Results: its alert says it could not be verified.
    assert (
        "Unverified mail about a dispute, refund or return: check the order page"
        " — order 8200999900000009" in out
    )
    assert (
        'The mail: "Bestellung 8200999900000009: Ihr Paket hat ein Upgrade erhalten", sent ' in out
    )
    assert "Wed 25 Nov 2026 13:00 CET" in out


@pytest.mark.real_server
def test_drift_on_imap_one_alert_per_shape_and_unknown_names_folder_and_uid(
    imap_server: ImapServer, tmp_path
):
    imap_server.recreate_folder("drift")
    uids = [
        imap_server.append("drift", new_template_mail(n, NOW - timedelta(hours=10 - n)))
        for n in range(3)
    ]
    env = env_for(imap_server, tmp_path, "drift")
    first = run(env, "run", "--once", "--now", NOW.isoformat())
    assert first.returncode == 0, first.stderr
    assert first.stdout.count(DRIFT) == 1
    assert (
        '3 recent AliExpress mails shaped "Bestellung <n>: Ihr Paket hat ein Upgrade erhalten"'
        in (first.stdout)
    )
    assert '"event": "recognition_drift"' in first.stderr

    data = json.loads(run(env, "unknown", "--json").stdout)
    assert [(m["folder"], m["uid"]) for m in data["mails"]] == [
        ("drift", uid) for uid in reversed(uids)
    ]

    imap_server.append("drift", new_template_mail(3, NOW - timedelta(hours=1)))
    again = run(env, "run", "--once", "--now", NOW.isoformat())
    assert again.returncode == 0, again.stderr
    assert DRIFT not in again.stdout  # once per shape


@pytest.mark.real_server
def test_a_few_unrecognised_mails_among_many_recognised_raise_no_drift(
    imap_server: ImapServer, tmp_path
):
    imap_server.recreate_folder("nodrift")
    imap_server.append("nodrift", new_template_mail(0, NOW - timedelta(hours=5)))
    for path in sorted((FIXTURES / "order").glob("*.eml"))[:8]:
        imap_server.append("nodrift", path.read_bytes())
    result = run(
        env_for(imap_server, tmp_path, "nodrift"), "run", "--once", "--now", NOW.isoformat()
    )
    assert result.returncode == 0, result.stderr
    assert DRIFT not in result.stdout


def test_drift_from_a_local_maildir_too(env, tmp_path):
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for n in range(3):
        sent = NOW - timedelta(hours=5 - n)
        (maildir / "new" / f"{n}.demo").write_bytes(new_template_mail(n, sent))
    env = {**env, "ALIWATCH_MAILDIR": str(maildir), "ALIWATCH_LOG_FORMAT": "json"}
    result = run(env, "run", "--once", "--now", NOW.isoformat())
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(DRIFT) == 1
    assert "aliwatch unknown" in result.stdout

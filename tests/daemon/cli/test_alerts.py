"""`aliwatch alerts`: what was decided, and how each channel delivered it, through the CLI."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aliwatch.daemon.alerts.channels.channel import ChannelError, Outgoing
from aliwatch.daemon.alerts.outbox import Outbox
from aliwatch.daemon.cli import main
from aliwatch.daemon.store import Store
from tests.support import MAILBOX as MAILBOX_PATH
from tests.support import NOW

MAILBOX = str(MAILBOX_PATH)
DISPUTED = "8200000000000303"
STALLED = "8200000000000202"


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """A fresh database the CLI uses (and no settings of the user's)."""
    for name in list(os.environ):
        if name.startswith("ALIWATCH_"):
            monkeypatch.delenv(name)
    path = tmp_path / "state" / "aliwatch.db"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("ALIWATCH_DB_PATH", str(path))
    monkeypatch.setenv("ALIWATCH_TIMEZONE", "America/Los_Angeles")
    return path


@pytest.fixture
def aliwatch(db, capsys):
    """`aliwatch ARGS --now NOW` in this process: (exit status, stdout, stderr)."""

    def call(*args, now=NOW):
        capsys.readouterr()
        code = main([*args, "--now", now.isoformat()])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


@pytest.fixture
def imported(aliwatch):
    assert aliwatch("import", MAILBOX)[0] == 0


class Flaky:
    """An email channel whose first send fails as an unreachable server does."""

    name = "email"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.calls = 0

    def send(self, alert: Outgoing) -> None:
        self.calls += 1
        if self.calls == 1:
            raise ChannelError("email: sending through x failed")
        self.sent.append(alert.key)

    def describe(self) -> str:
        return "x"

    def abort(self) -> None:
        pass


def listed(aliwatch, *args, now=NOW):
    code, out, err = aliwatch("alerts", "--json", *args, now=now)
    assert (code, err) == (0, "")
    return json.loads(out)


def test_a_failed_delivery_shows_its_error_then_its_sending(aliwatch, imported, db):
    channel = Flaky()
    with Store.open(db) as store:
        Outbox(store, [channel], UTC).deliver(NOW)
    alerts = listed(aliwatch)
    failed = [a for a in alerts if a["deliveries"][0]["state"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["deliveries"] == [
        {
            "channel": "email",
            "state": "failed",
            "attempts": 1,
            "sent_at": None,
            "next_try": "2026-11-26T12:00:30Z",
            "last_error": "email: sending through x failed",
        }
    ]
    others = [a["deliveries"] for a in alerts if a is not failed[0]]
    assert {(d["state"], d["attempts"], d["last_error"]) for (d,) in others} == {
        ("pending", 0, None)  # the channel was down for the rest of that pass
    }
    _, text, _ = aliwatch("alerts")
    assert (
        "email  failed once, next try Thu 26 Nov 2026 04:00 PST: email: sending through x failed"
        in text
    )

    later = NOW + timedelta(minutes=1)
    with Store.open(db) as store:
        Outbox(store, [channel], UTC).deliver(later)
    alerts = listed(aliwatch)
    assert len(channel.sent) == len(alerts) == 3
    retried = next(a for a in alerts if a["key"] == failed[0]["key"])
    assert retried["state"] == "sent"
    assert retried["deliveries"] == [
        {
            "channel": "email",
            "state": "sent",
            "attempts": 2,
            "sent_at": "2026-11-26T12:01:00Z",
            "next_try": None,
            "last_error": "email: sending through x failed",  # what went wrong on the way
        }
    ]
    _, text, _ = aliwatch("alerts", now=later)
    assert text.count("email  sent Thu 26 Nov 2026 04:01 PST") == 3


def test_json_fields_of_an_alert_no_channel_has_had(aliwatch, imported):
    alerts = listed(aliwatch, "--order", DISPUTED)
    assert [a["rule"] for a in alerts] == ["pressure", "proposal_waiting"]  # newest first
    proposal = alerts[1]
    assert proposal == {
        "key": proposal["key"],
        "order_id": DISPUTED,
        "rule": "proposal_waiting",
        "state": "pending",
        "created_at": "2026-11-26T12:00:00Z",
        "due": "2026-12-04T07:59:00Z",
        "urgent": True,
        "verified": True,
        "headline": "The seller made a proposal in your dispute",
        "skipped": None,
        "deliveries": [],
    }
    _, text, _ = aliwatch("alerts", "--order", DISPUTED)
    assert text.splitlines()[:6] == [
        f"2 alerts about order {DISPUTED}, newest first:",
        "",
        f"Thu 26 Nov 2026 04:00 PST  pressure  order {DISPUTED}",
        "  The seller is pushing you to close the dispute or pay outside AliExpress",
        "  no channel has had it yet: `aliwatch run` sends it",
        "",
    ]
    assert f"Thu 26 Nov 2026 04:00 PST  proposal_waiting  order {DISPUTED}  URGENT" in text
    assert "  Deadline: Thu 3 Dec 2026 23:59 PST" in text


def test_an_acknowledged_alert_says_how_to_undo_that(aliwatch, imported):
    aliwatch("ack", STALLED)
    (alert,) = listed(aliwatch, "--order", STALLED)
    assert alert["state"] == "acked"
    _, text, _ = aliwatch("alerts", "--order", STALLED)
    assert f"acknowledged before any channel sent it (undo: aliwatch unack {STALLED})" in text


def test_since_takes_a_duration_or_a_date(aliwatch, imported):
    later = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
    aliwatch("import", MAILBOX, now=later)  # hours before the deadline: the last reminder
    recent = listed(aliwatch, "--since", "1d", now=later)
    assert recent
    assert {a["created_at"] for a in recent} == {"2026-12-04T03:00:00Z"}
    assert "proposal_waiting" in {a["rule"] for a in recent}
    everything = listed(aliwatch, "--since", "2026-11-26", now=later)
    assert len(everything) == len(recent) + 3  # and the three of the first import
    assert listed(aliwatch, "--since", "2026-11-27T08:00:00Z", now=later) == recent
    assert listed(aliwatch, "--since", "2026-12-31", now=later) == []
    assert aliwatch("alerts", "--since", "2026-12-31", now=later)[1] == (
        "no alerts since Wed 30 Dec 2026 16:00 PST\n"
    )


def test_bad_since_and_unknown_order_are_refused(aliwatch, imported):
    code, _, err = aliwatch("alerts", "--since", "lately")
    assert code == 1
    assert "--since 'lately': give a date" in err
    code, _, err = aliwatch("alerts", "--order", "1234567890123456")
    assert (code, err) == (1, "aliwatch: no mail has named order 1234567890123456\n")


def test_an_empty_store_has_no_alerts(aliwatch, db):
    Store.open(db).close()
    assert aliwatch("alerts") == (0, "no alerts\n", "")
    assert listed(aliwatch) == []


def test_text_from_a_mail_cannot_reach_the_terminal_as_escapes(aliwatch, imported, db):
    with Store.open(db) as store:
        store.add_alert(
            "drift:x",
            order_id=None,
            rule="drift",
            due=None,
            payload={
                "order_id": "",
                "rule": "drift",
                "headline": "Subject \x1b[2J shape",
                "advice": "",
            },
            now=NOW,
        )
    _, text, _ = aliwatch("alerts")
    assert "\x1b" not in text
    assert "  Subject ?[2J shape" in text
    assert listed(aliwatch)[0]["order_id"] is None

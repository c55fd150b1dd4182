"""The store-backed commands, run as a user would: import, status, timeline, calendar, marks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
MAILBOX = str(Path(__file__).resolve().parent.parent / "examples" / "mailbox")
NOW = "2026-11-26T12:00:00Z"
DISPUTED = "8200000000000303"


@pytest.fixture
def env(tmp_path):
    return {
        "PATH": os.environ["PATH"],
        "ALIWATCH_DB_PATH": str(tmp_path / "state" / "aliwatch.db"),
        "ALIWATCH_TIMEZONE": "America/Los_Angeles",
    }


def run(env, *args, now=NOW):
    extra = ["--now", now] if now else []
    return subprocess.run(
        [ALIWATCH, *args, *extra], capture_output=True, text=True, env=env, check=False, timeout=120
    )


def test_import_records_the_mailbox_and_prints_its_alerts(env):
    result = run(env, "import", MAILBOX)
    assert result.returncode == 0, result.stderr
    assert "22 new events" in result.stdout
    assert (
        "[URGENT] The seller made a proposal in your dispute — order 8200000000000303"
        in result.stdout
    )
    assert "Thu 3 Dec 2026 23:59 PST" in result.stdout
    assert "Proposed refund: 0.00 USD (you paid 23.40 USD)" in result.stdout


def test_importing_again_raises_no_alert_twice(env):
    run(env, "import", MAILBOX)
    again = run(env, "import", MAILBOX)
    assert "0 new events" in again.stdout
    assert "0 new alerts" in again.stdout


def test_status_json_lists_open_orders_with_deadlines(env):
    run(env, "import", MAILBOX)
    orders = json.loads(run(env, "status", "--json").stdout)
    by_id = {o["order_id"]: o for o in orders}
    assert by_id[DISPUTED]["phase"] == "proposal_waiting"
    assert by_id[DISPUTED]["proposed"] == "0.00 USD"
    assert "8200000000000101" not in by_id  # completed orders only with --all
    everything = json.loads(run(env, "status", "--json", "--all").stdout)
    assert "8200000000000101" in {o["order_id"] for o in everything}


def test_status_table_has_one_row_per_open_order(env):
    run(env, "import", MAILBOX)
    lines = run(env, "status").stdout.splitlines()
    assert lines[0].startswith("ORDER")
    assert sum(DISPUTED in line for line in lines) == 1


def test_timeline_lists_the_orders_mails_in_time_order(env):
    run(env, "import", MAILBOX)
    events = json.loads(run(env, "timeline", DISPUTED, "--json", now=None).stdout)
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "order_shipped"
    assert kinds.index("dispute_opened") < kinds.index("seller_proposal")


def test_calendar_is_valid_ics_with_the_proposal_deadline(env, tmp_path):
    run(env, "import", MAILBOX)
    target = tmp_path / "deadlines.ics"
    assert run(env, "calendar", "-o", str(target)).returncode == 0
    calendar = Calendar.from_ical(target.read_bytes())
    summaries = [str(e["SUMMARY"]) for e in calendar.events]
    assert any(DISPUTED in s and "proposal" in s.lower() for s in summaries)


def test_marks_on_an_unknown_order_fail_with_a_message(env):
    run(env, "import", MAILBOX)
    for args in (
        ["ack", "1234567890123456"],
        ["watch", "1234567890123456"],
        ["snooze", "1234567890123456", "1d"],
    ):
        result = run(env, *args)
        assert result.returncode == 1
        assert "no mail has named order 1234567890123456" in result.stderr
        assert "Traceback" not in result.stderr


def test_bad_snooze_duration_is_refused(env):
    run(env, "import", MAILBOX)
    result = run(env, "snooze", DISPUTED, "soon")
    assert result.returncode == 1
    assert "not a duration" in result.stderr


def test_an_acknowledged_rule_stays_quiet_until_new_mail(env):
    run(env, "import", MAILBOX)
    assert run(env, "ack", DISPUTED, "--rule", "proposal_waiting").returncode == 0
    # Hours before the stated deadline a reminder would be due; the ack holds it back.
    later = run(env, "import", MAILBOX, now="2026-12-04T03:00:00Z")
    assert "proposal in your dispute" not in later.stdout


def test_without_ack_the_last_reminder_comes(env):
    run(env, "import", MAILBOX)
    later = run(env, "import", MAILBOX, now="2026-12-04T03:00:00Z")
    assert "The seller made a proposal in your dispute — order 8200000000000303" in later.stdout

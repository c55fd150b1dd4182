"""The store-backed commands, run as a user would: import, status, timeline, calendar, marks."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from aliwatch.daemon.alerts.wording import html_body, text_body
from aliwatch.daemon.cli import main
from aliwatch.daemon.cli.commands import ALERT_RULES
from aliwatch.daemon.store import Store
from aliwatch.rules.decide import Decision, decision_of
from tests.support import MAILBOX as MAILBOX_PATH
from tests.support import NOW_TEXT as NOW
from tests.support import pending_alerts

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
MAILBOX = str(MAILBOX_PATH)
DISPUTED = "8200000000000303"
STALLED = "8200000000000202"
CANCELLING = "8200000000000404"


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


@pytest.mark.parametrize("now", ["2026-12-03T22:00:00Z", "2026-11-29T08:00:00Z"])
def test_one_proposal_mail_imported_hours_or_days_before_its_deadline_is_one_alert(env, now):
    # The deadline is Thu 3 Dec 23:59 PST: 10 h, then 5 days, away. The 1-day and 7-day
    # reminders are due at first sight too; the buyer gets one alert, not two.
    proposal = str(Path(MAILBOX) / "new" / "1795679538.M21P100.demo")
    result = run(env, "import", proposal, now=now)
    assert result.returncode == 0, result.stderr
    assert "1 new alerts" in result.stdout
    assert result.stdout.count("[URGENT]") == 1


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


# The marks and their undoing, through daemon.cli.main in this process.


@pytest.fixture
def aliwatch(tmp_path, monkeypatch, capsys):
    """`aliwatch ARGS --now NOW` in this process on a fresh database: (exit status, out, err)."""
    for name in list(os.environ):
        if name.startswith("ALIWATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no env file of the user's
    monkeypatch.setenv("ALIWATCH_DB_PATH", str(tmp_path / "state" / "aliwatch.db"))
    monkeypatch.setenv("ALIWATCH_TIMEZONE", "America/Los_Angeles")

    def call(*args, now=NOW):
        capsys.readouterr()
        code = main([*args, *(["--now", now] if now else [])])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def alert_states(tmp_path, order_id=DISPUTED):
    """rule -> state of the order's stored alerts."""
    db = sqlite3.connect(tmp_path / "state" / "aliwatch.db")
    try:
        rows = db.execute("SELECT rule, state FROM alerts WHERE order_id = ?", (order_id,))
        return dict(rows.fetchall())
    finally:
        db.close()


def pressure_key(tmp_path):
    db = sqlite3.connect(tmp_path / "state" / "aliwatch.db")
    try:
        return db.execute("SELECT key FROM alerts WHERE rule = 'pressure'").fetchone()[0]
    finally:
        db.close()


def test_a_misspelt_rule_is_refused_with_the_closest_name(aliwatch):
    aliwatch("import", MAILBOX)
    code, out, err = aliwatch("ack", DISPUTED, "--rule", "proposl_waiting")
    assert code == 2
    assert out == ""
    assert "unknown rule 'proposl_waiting'; rules: proposal_waiting, protection_ending" in err
    assert "did you mean 'proposal_waiting'?" in err
    for rule in ALERT_RULES:
        assert rule in err


def test_every_alert_rule_is_accepted(aliwatch):
    aliwatch("import", MAILBOX)
    for rule in ("proposal_waiting", "pressure", "unverified", "return_due", "suspicious"):
        assert aliwatch("ack", DISPUTED, "--rule", rule)[0] == 0
    assert {"awaiting_confirmation", "attention", "dispute_quiet"} <= set(ALERT_RULES)


def test_unack_sends_the_alerts_the_ack_held_back(aliwatch, tmp_path):
    aliwatch("import", MAILBOX)
    assert aliwatch("ack", DISPUTED, "--rule", "proposal_waiting")[0] == 0
    assert alert_states(tmp_path) == {"proposal_waiting": "acked", "pressure": "pending"}

    code, out, _ = aliwatch("unack", DISPUTED, "--rule", "proposal_waiting")
    assert code == 0
    assert f"order {DISPUTED} no longer acknowledged: proposal_waiting" in out
    assert "1 held alert will be sent" in out
    assert alert_states(tmp_path) == {"proposal_waiting": "pending", "pressure": "pending"}

    code, out, _ = aliwatch("unack", DISPUTED)
    assert (code, out) == (0, f"order {DISPUTED} has no acknowledgement: nothing to undo\n")


def test_unack_of_a_rule_leaves_an_ack_of_every_rule_in_force(aliwatch, tmp_path):
    aliwatch("import", MAILBOX)
    aliwatch("ack", DISPUTED)
    aliwatch("ack", DISPUTED, "--rule", "pressure")
    code, out, _ = aliwatch("unack", DISPUTED, "--rule", "pressure")
    assert code == 0
    assert "no longer acknowledged: pressure" in out
    assert f"every rule of order {DISPUTED} is still acknowledged" in out
    assert alert_states(tmp_path) == {"proposal_waiting": "acked", "pressure": "acked"}
    code, out, _ = aliwatch("unack", DISPUTED)
    assert "no longer acknowledged: every rule" in out
    assert "2 held alerts will be sent" in out


def test_unack_leaves_an_alert_a_channel_already_sent(aliwatch, tmp_path):
    aliwatch("import", MAILBOX)
    with Store.open(tmp_path / "state" / "aliwatch.db") as store:
        store.fan_out(["email", "desktop"], datetime.fromisoformat(NOW))
        store.delivered(pressure_key(tmp_path), "desktop", datetime.fromisoformat(NOW))
    aliwatch("ack", DISPUTED)
    _, out, _ = aliwatch("unack", DISPUTED)
    assert "1 held alert will be sent" in out  # the proposal; the desktop showed the pressure
    assert alert_states(tmp_path) == {"proposal_waiting": "pending", "pressure": "acked"}


def test_a_misspelt_rule_is_refused_by_unack_too(aliwatch):
    aliwatch("import", MAILBOX)
    code, _, err = aliwatch("unack", DISPUTED, "--rule", "presure")
    assert code == 2
    assert "did you mean 'pressure'?" in err


def test_snooze_off_and_unsnooze_end_the_snooze(aliwatch):
    aliwatch("import", MAILBOX)
    assert aliwatch("snooze", DISPUTED, "3d")[0] == 0
    code, out, _ = aliwatch("snooze", DISPUTED, "off")
    assert code == 0
    assert out == f"order {DISPUTED} is no longer snoozed (it was until 2026-11-29 04:00)\n"
    code, out, _ = aliwatch("unsnooze", DISPUTED)
    assert (code, out) == (0, f"order {DISPUTED} is not snoozed: nothing to undo\n")
    aliwatch("snooze", DISPUTED, "1h")
    code, out, _ = aliwatch("unsnooze", DISPUTED, now="2026-11-27T12:00:00Z")  # it has ended
    assert (code, out) == (0, f"order {DISPUTED} is not snoozed: nothing to undo\n")


def test_unwatch_stops_following_the_order(aliwatch):
    aliwatch("import", MAILBOX)
    aliwatch("watch", DISPUTED)
    assert aliwatch("unwatch", DISPUTED) == (0, f"no longer watching order {DISPUTED}\n", "")
    assert aliwatch("unwatch", DISPUTED) == (
        0,
        f"order {DISPUTED} was not watched: nothing to undo\n",
        "",
    )


@pytest.mark.parametrize(
    "args", [["unack"], ["unack", "--rule", "pressure"], ["unsnooze"], ["unwatch"]]
)
def test_undoing_a_mark_on_an_unknown_order_fails_with_a_message(aliwatch, args):
    aliwatch("import", MAILBOX)
    code, out, err = aliwatch(args[0], "1234567890123456", *args[1:])
    assert code == 1
    assert out == ""
    assert err == "aliwatch: no mail has named order 1234567890123456\n"


def test_status_shows_the_marks_that_hold(aliwatch):
    aliwatch("import", MAILBOX)
    aliwatch("ack", DISPUTED, "--rule", "proposal_waiting")
    aliwatch("snooze", DISPUTED, "2d")
    aliwatch("watch", STALLED)
    aliwatch("ack", STALLED)
    aliwatch("snooze", STALLED, "1h", now="2026-11-20T12:00:00Z")  # over by now

    _, out, _ = aliwatch("status", "--json")
    marks = {order["order_id"]: order["marks"] for order in json.loads(out)}
    assert marks[DISPUTED] == {
        "acked": [{"rule": "proposal_waiting", "since": "2026-11-26T12:00:00Z"}],
        "snoozed_until": "2026-11-28T12:00:00Z",
        "watched": False,
    }
    assert marks[STALLED] == {
        "acked": [{"rule": "*", "since": "2026-11-26T12:00:00Z"}],
        "snoozed_until": None,
        "watched": True,
    }
    assert marks[CANCELLING] == {"acked": [], "snoozed_until": None, "watched": False}

    _, out, _ = aliwatch("status")
    lines = out.splitlines()
    under = {lines[i].split()[0]: lines[i + 1] for i in range(1, len(lines) - 1)}
    assert under[DISPUTED].strip() == (
        "acked proposal_waiting since Thu 26 Nov 2026 04:00 PST;"
        " snoozed until Sat 28 Nov 2026 04:00 PST"
    )
    assert under[DISPUTED].startswith(" " * 18)  # under PHASE: no order number there
    assert under[STALLED].strip() == "acked every rule since Thu 26 Nov 2026 04:00 PST; watched"
    assert under[CANCELLING].startswith("8200")  # no marks: the next order follows


def test_an_ack_a_newer_mail_lapsed_is_not_shown(aliwatch):
    aliwatch("import", MAILBOX)
    aliwatch("ack", DISPUTED, now="2026-11-01T00:00:00Z")  # before the proposal mail
    _, out, _ = aliwatch("status", "--json")
    assert {o["order_id"]: o["marks"]["acked"] for o in json.loads(out)}[DISPUTED] == []


def test_the_alert_mail_ends_with_commands_that_work_as_written(aliwatch, tmp_path):
    aliwatch("import", MAILBOX)
    with Store.open(tmp_path / "state" / "aliwatch.db") as store:
        (proposal,) = [a for a in pending_alerts(store) if a.rule == "proposal_waiting"]
    decision = decision_of(proposal.payload, proposal.key)
    now = datetime.fromisoformat(NOW)
    footer = text_body(decision, now, UTC).split("\n-- \n")[1].splitlines()
    assert footer == [
        "aliwatch, watching your AliExpress mail.",
        f"Done with it:     aliwatch ack {DISPUTED}",
        f"Quiet for a day:  aliwatch snooze {DISPUTED} 1d",
        "All your orders:  aliwatch status",
    ]
    html = html_body(decision, now, UTC)
    assert html.index(f"Done with it: <code>aliwatch ack {DISPUTED}</code>") > html.index("<hr>")
    assert f"<code>aliwatch snooze {DISPUTED} 1d</code>" in html
    for line in footer[1:]:
        program, command, *args = line.split(":", 1)[1].split()
        assert program == "aliwatch"
        assert aliwatch(command, *args)[0] == 0
    assert "acked every rule" in aliwatch("status")[1]


@pytest.mark.parametrize(
    ("rule", "step"),
    [
        ("stale", "Check aliwatch's settings and mailbox:  aliwatch check"),
        ("login_refused", "Check aliwatch's settings and mailbox:  aliwatch check"),
        ("test", "Check aliwatch's settings and mailbox:  aliwatch check"),
        ("digest", "Your orders:  aliwatch status"),
        ("drift", "The mail it could not read:  aliwatch unknown"),
    ],
)
def test_an_alert_about_no_order_offers_what_fits_and_no_ack(rule, step):
    decision = Decision(key="k", order_id="", rule=rule, headline="H", advice="A")
    body = text_body(decision, datetime.fromisoformat(NOW), UTC)
    assert body.endswith(f"\n-- \naliwatch, watching your AliExpress mail.\n{step}\n")
    assert "ack" not in body.split("\n-- \n")[1]
    assert "Acknowledge" not in html_body(decision, datetime.fromisoformat(NOW), UTC)


def not_mail_files(folder: Path) -> dict[str, Path]:
    """A PDF, a calendar, a gzipped mbox and a text file: what people mistake for mail."""
    files = {
        "pdf": folder / "invoice.pdf",
        "ics": folder / "deadlines.ics",
        "gz": folder / "takeout.mbox.gz",
        "txt": folder / "notes.txt",
    }
    files["pdf"].write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\n")
    files["ics"].write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    mail = (Path(MAILBOX) / "new" / "1795679538.M21P100.demo").read_bytes()
    files["gz"].write_bytes(gzip.compress(b"From a@b Mon Jan  1 00:00:00 2026\n" + mail))
    files["txt"].write_bytes(b"hello\nthis is a plain text file\n")
    return files


def test_import_of_files_that_are_not_mail_names_each_one_and_exits_1(env, tmp_path):
    files = not_mail_files(tmp_path)
    missing = tmp_path / "nonexistent.mbox"
    result = run(env, "import", *map(str, files.values()), str(missing))
    assert result.returncode == 1
    assert result.stdout.startswith(
        "examined 5 inputs: 0 new events, 1 missing, 4 not mail; 0 new alerts"
    )
    assert result.stderr.splitlines() == [
        f"aliwatch import: {files['pdf']}: not mail: a PDF document",
        f"aliwatch import: {files['ics']}: not mail: an iCalendar (.ics) file",
        f"aliwatch import: {files['gz']}: not mail: gzip-compressed data "
        "(a compressed mbox? gunzip it first)",
        f"aliwatch import: {files['txt']}: not mail: text with no mail header block "
        "(From:, Subject:, Date: ... then an empty line)",
        f"aliwatch import: {missing}: no such file or folder",
        "aliwatch import: no mail in what was given: nothing imported",
    ]


def test_import_of_one_pdf_is_not_examined_1_mail_and_exit_0(env, tmp_path):
    pdf = not_mail_files(tmp_path)["pdf"]
    result = run(env, "import", str(pdf))
    assert (result.returncode, result.stdout) == (
        1,
        "examined 1 input: 0 new events, 1 not mail; 0 new alerts\n",
    )
    assert f"{pdf}: not mail: a PDF document" in result.stderr


def test_an_unreadable_file_is_named_with_the_reason(env, tmp_path):
    huge = tmp_path / "huge.eml"
    with huge.open("wb") as out:
        out.truncate(65 * 2**20)  # sparse: no disk used
    result = run(env, "import", str(huge))
    assert result.returncode == 1
    assert result.stdout.startswith("examined 1 input: 0 new events, 1 unreadable;")
    assert f"aliwatch import: {huge}: larger than 64 MB" in result.stderr


def test_import_counts_add_up_with_mail_and_problems_mixed(env, tmp_path):
    pdf = not_mail_files(tmp_path)["pdf"]
    first = run(env, "import", MAILBOX, str(pdf))
    assert first.returncode == 0, first.stderr  # some of it was mail
    assert first.stdout.startswith("examined 23 inputs: 22 new events, 1 not mail;")
    assert first.stderr == f"aliwatch import: {pdf}: not mail: a PDF document\n"
    copy = tmp_path / "copy.eml"  # the proposal again under another name: the same Message-ID
    copy.write_bytes((Path(MAILBOX) / "new" / "1795679538.M21P100.demo").read_bytes())
    again = run(env, "import", MAILBOX, str(copy))
    assert again.stdout.startswith(
        "examined 23 inputs: 0 new events, 1 already recorded from another copy, 22 seen before;"
    )


def test_a_gzipped_mbox_was_not_mail_and_stays_importable_once_unpacked(env, tmp_path):
    gz = not_mail_files(tmp_path)["gz"]
    assert run(env, "import", str(gz)).returncode == 1
    unpacked = tmp_path / "takeout.mbox"
    unpacked.write_bytes(gzip.decompress(gz.read_bytes()))
    result = run(env, "import", str(unpacked))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("examined 1 input: 1 new events;")


def test_a_missing_path_is_not_remembered_as_seen(env, tmp_path):
    later = tmp_path / "later.eml"
    assert run(env, "import", str(later)).returncode == 1
    later.write_bytes((Path(MAILBOX) / "new" / "1795679538.M21P100.demo").read_bytes())
    result = run(env, "import", str(later))
    assert result.stdout.startswith("examined 1 input: 1 new events;")


READ_ONLY_COMMANDS = [
    ("status",),
    ("status", "--json"),
    ("timeline", DISPUTED),
    ("calendar",),
    ("alerts",),
    ("unknown",),
    ("ack", DISPUTED),
    ("unack", DISPUTED),
    ("snooze", DISPUTED, "1d"),
    ("unsnooze", DISPUTED),
    ("watch", DISPUTED),
    ("unwatch", DISPUTED),
]


@pytest.mark.parametrize("args", READ_ONLY_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_commands_that_read_the_store_refuse_a_missing_database(env, args):
    mistyped = Path(env["ALIWATCH_DB_PATH"]).with_name("aliwach.db")
    env = {**env, "ALIWATCH_DB_PATH": str(mistyped)}
    result = run(env, *args)
    assert result.returncode == 2
    assert result.stderr == (
        f"aliwatch: no database at {mistyped}; is ALIWATCH_DB_PATH right? "
        "(`aliwatch run` or `aliwatch import` creates it)\n"
    )
    assert not mistyped.exists()
    assert not mistyped.parent.exists()  # not even its folder


def test_a_truncated_database_names_the_path_and_the_way_to_recover(env):
    assert run(env, "import", MAILBOX).returncode == 0
    db = Path(env["ALIWATCH_DB_PATH"])
    os.truncate(db, db.stat().st_size // 2)
    result = run(env, "status")
    assert result.returncode == 1
    assert "database disk image is malformed" in result.stderr
    assert "the database is damaged. To recover: stop the service" in result.stderr
    assert f"move {db} aside with its -wal and -shm files (mv {db} {db}.broken)" in result.stderr
    assert "aliwatch rebuilds the store from the mailbox" in result.stderr

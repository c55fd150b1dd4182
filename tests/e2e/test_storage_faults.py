"""The store lost or damaged under `aliwatch run`: rebuilt from the mailbox without re-sending
what the buyer already had."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.support import ALIWATCH, MAILBOX, NOW_TEXT

# The console channel prints each alert it sends with its order page; one line per alert.
SENT_MARK = "Order page: "
AFTER_EVERY_DEADLINE = "2027-03-01T12:00:00Z"  # the sample mailbox's deadlines are all past
TWO_DAYS_LATER = "2026-11-28T12:00:00Z"


def env_for(db: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "ALIWATCH_DB_PATH": str(db),
        "ALIWATCH_MAILDIR": str(MAILBOX),
        "ALIWATCH_LOG_FORMAT": "json",
        "XDG_CONFIG_HOME": str(db.parent / "config"),
    }


def run_once(env: dict[str, str], now: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [ALIWATCH, "run", "--once", "--now", now],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def alerts(env: dict[str, str], now: str) -> list[dict[str, object]]:
    result = subprocess.run(
        [ALIWATCH, "alerts", "--json", "--now", now],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout))


def lose_the_database(db: Path) -> None:
    """Delete the database and its -wal/-shm as a user recovering from a damaged file would;
    the lock file beside it stays."""
    for leftover in db.parent.glob("aliwatch.db*"):
        if not leftover.name.endswith(".lock"):
            leftover.unlink()


def test_a_new_user_with_an_old_mailbox_gets_its_alerts(tmp_path):
    env = env_for(tmp_path / "state" / "aliwatch.db")
    assert run_once(env, AFTER_EVERY_DEADLINE).stdout.count(SENT_MARK) >= 3


def test_a_rebuild_after_every_deadline_sends_nothing_and_records_all_as_sent(tmp_path):
    db = tmp_path / "state" / "aliwatch.db"
    env = env_for(db)
    before = run_once(env, AFTER_EVERY_DEADLINE).stdout.count(SENT_MARK)
    lose_the_database(db)
    result = run_once(env, AFTER_EVERY_DEADLINE)
    assert result.stdout.count(SENT_MARK) == 0
    stored = alerts(env, AFTER_EVERY_DEADLINE)
    assert len(stored) >= 3
    assert all(a["state"] == "sent" and a["skipped"] for a in stored)
    assert all(a["deliveries"] == [] for a in stored)
    logged = [json.loads(line) for line in result.stderr.splitlines() if "caught_up" in line]
    assert [line["count"] for line in logged] == [len(stored)]
    assert before == len(stored)  # what was re-sent before: every one


def test_deleting_the_database_re_sends_only_what_still_needs_an_answer(tmp_path):
    db = tmp_path / "state" / "aliwatch.db"
    env = env_for(db)
    first = run_once(env, NOW_TEXT)
    sent_first = first.stdout.count(SENT_MARK)
    assert sent_first >= 3  # a new store with fresh mail: its alerts go out
    later = run_once(env, TWO_DAYS_LATER).stdout.count(SENT_MARK)
    lose_the_database(db)
    rebuilt = run_once(env, TWO_DAYS_LATER)
    resent = rebuilt.stdout.count(SENT_MARK)
    # Only the proposal still waiting for an answer (urgent, its deadline ahead) is said again;
    # before, every alert of the mailbox was (101 of 101 in the fault harness).
    assert resent == 1, rebuilt.stdout
    assert "The seller made a proposal in your dispute" in rebuilt.stdout
    assert sent_first + later > resent

"""`aliwatch run` and its database going wrong: deleted or replaced while it runs (it stops with
the reason), damaged at start (it says so on the alert channels, once, then exits 1)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.servers.smtp import SmtpServer
from tests.support import ALIWATCH, MAILBOX, NOW_TEXT, Daemon, log_has, wait_until


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ALIWATCH_DB_PATH": str(tmp_path / "aliwatch.db"),
        "ALIWATCH_MAILDIR": str(MAILBOX),
        "ALIWATCH_LOG_FORMAT": "json",
        "ALIWATCH_POLL_SECONDS": "5",  # the least it takes: the loop looks at least this often
        "ALIWATCH_DESKTOP_NOTIFY": "off",
    }


def stopped_by_itself(daemon: Daemon) -> int:
    """The exit status of a daemon that must end on its own within a bounded time."""
    assert wait_until(lambda: daemon.process.poll() is not None, 30), "still running"
    assert wait_until(daemon.log.ended, 5)
    return daemon.process.wait()


def test_a_deleted_database_stops_run_with_the_reason(env: dict[str, str], tmp_path: Path):
    db = tmp_path / "aliwatch.db"
    with Daemon(env, "--now", NOW_TEXT) as daemon:
        assert wait_until(log_has(daemon.log, "rules_done"), 60)
        db.unlink()
        assert stopped_by_itself(daemon) == 1
        said = "".join(daemon.log)
        assert log_has(daemon.log, "store_replaced", str(db))()
        assert f"aliwatch: the database {db} was deleted while aliwatch had it open" in said
        assert "systemctl restart aliwatch" in said
        assert not db.exists()  # nothing wrote a new one under the running daemon


def test_a_replaced_database_stops_run_with_the_reason(env: dict[str, str], tmp_path: Path):
    db = tmp_path / "aliwatch.db"
    with Daemon(env, "--now", NOW_TEXT) as daemon:
        assert wait_until(log_has(daemon.log, "rules_done"), 60)
        other = tmp_path / "restored.db"
        other.write_bytes(db.read_bytes())
        os.replace(other, db)  # as a restore from a backup does
        assert stopped_by_itself(daemon) == 1
        said = "".join(daemon.log)
        assert f"the database {db} was replaced by another file while aliwatch had it open" in said
        assert f"to use the file now at {db}" in said


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALIWATCH, "run", *args, "--now", NOW_TEXT], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.real_server
def test_a_damaged_database_at_start_is_mailed_once_then_run_exits_1(
    env: dict[str, str], smtp_server: SmtpServer, tmp_path: Path
):
    db = tmp_path / "aliwatch.db"
    assert run(env, "--once").returncode == 0  # a real database, without the mail channel
    db.write_bytes(db.read_bytes()[:4096])  # cut short, as a crash or a full disk leaves it
    for path in tmp_path.glob("aliwatch.db-*"):  # its WAL too: only the truncated file is left
        path.unlink()
    mailed = env | smtp_server.env()

    result = run(mailed)
    assert result.returncode == 1, result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"aliwatch: cannot open the database {db}"), result.stderr
    assert f"mv {db} {db}.broken" in last
    [message] = smtp_server.messages
    assert "database is damaged" in str(message["Subject"])
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert str(db) in body and "To recover: stop the service" in body

    # systemd restarts it (Restart=on-failure) into the same file: no second mail.
    again = run(mailed)
    assert again.returncode == 1
    assert len(smtp_server.messages) == 1
    assert log_has(again.stderr.splitlines(), "store_damage_already_told")()


def test_damage_found_while_running_is_mailed_once_then_run_exits_1(
    env: dict[str, str], smtp_server: SmtpServer, tmp_path: Path
):
    db = tmp_path / "aliwatch.db"
    assert run(env, "--once").returncode == 0  # a real database, closed cleanly
    page = 4096  # SQLite's default page size; page 1 (the header and schema) stays sound
    with db.open("r+b") as file:
        file.seek(page)  # page 2: the first table's root, read by the first pass, not by open
        file.write(b"\x55" * page)
    mailed = env | smtp_server.env()

    with Daemon(mailed, "--now", NOW_TEXT) as daemon:
        # Before: logged as store_failed and retried every turn, silently, for ever.
        assert stopped_by_itself(daemon) == 1
        assert log_has(daemon.log, "run_failed", "StoreDamagedError")()
        assert f"mv {db} {db}.broken" in daemon.log[-1]
    [message] = smtp_server.messages
    assert "database is damaged" in str(message["Subject"])

    # systemd restarts it into the same file, which the first pass writes to: no second mail.
    again = run(mailed)
    assert again.returncode == 1
    assert len(smtp_server.messages) == 1

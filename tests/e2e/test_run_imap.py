"""`aliwatch run` against each real test IMAP server (Dovecot, Cyrus): a backfill in one pass, new
mail through IDLE, server restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.servers.cyrus import Cyrus, ImapServer
from tests.support import MAILBOX, log_has, read_lines, wait_until

pytestmark = pytest.mark.real_server

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
PROPOSAL_MAIL = MAILBOX / "new" / "1795679538.M21P100.demo"
PROPOSAL = "The seller made a proposal in your dispute — order 8200000000000303"


def env_for(server: ImapServer, tmp_path: Path, folder: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ALIWATCH_DB_PATH": str(tmp_path / "aliwatch.db"),
        "ALIWATCH_IMAP_HOST": server.host,
        "ALIWATCH_IMAP_PORT": str(server.imaps_port),
        "ALIWATCH_IMAP_USER": server.user,
        "ALIWATCH_IMAP_PASSWORD": server.password,
        "ALIWATCH_IMAP_CA_FILE": str(server.ca_file),
        "ALIWATCH_IMAP_FOLDERS": folder,
        "ALIWATCH_IMAP_TIMEOUT": "10",
        "ALIWATCH_BACKFILL_DAYS": "36500",
        "ALIWATCH_LOG_FORMAT": "json",
    }


def test_run_once_backfills_the_folder_and_alerts(imap_server, tmp_path):
    imap_server.recreate_folder("runonce")
    for path in sorted(p for p in MAILBOX.rglob("*") if p.is_file() and p.name != ".gitkeep"):
        if path != PROPOSAL_MAIL:
            imap_server.append("runonce", path.read_bytes())
    imap_server.append("runonce", PROPOSAL_MAIL.read_bytes())
    env = env_for(imap_server, tmp_path, "runonce")
    result = subprocess.run(
        [ALIWATCH, "run", "--once", "--now", "2026-11-26T12:00:00Z"],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "one pass: 22 new events" in result.stdout
    assert PROPOSAL in result.stdout
    assert imap_server.password not in result.stdout + result.stderr


def _printed(lines: list[str], text: str) -> Callable[[], bool]:
    return lambda: any(text in line for line in lines)


def test_a_proposal_arriving_during_idle_is_alerted(imap_server, tmp_path):
    imap_server.recreate_folder("idle")
    env = env_for(imap_server, tmp_path, "idle")
    process = subprocess.Popen(
        [ALIWATCH, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out, log = read_lines(process.stdout), read_lines(process.stderr)
    try:
        assert wait_until(log_has(log, "idle_armed"), 30)  # the first (empty) sync, then IDLE
        imap_server.append("idle", PROPOSAL_MAIL.read_bytes())
        # A functional bound (30 s), not a timing target: see make bench-idle.
        assert wait_until(_printed(out, PROPOSAL), 30)
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_the_daemon_survives_a_server_restart_during_idle(imap_server, tmp_path):
    imap_server.recreate_folder("restart")
    env = env_for(imap_server, tmp_path, "restart")
    process = subprocess.Popen(
        [ALIWATCH, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out, log = read_lines(process.stdout), read_lines(process.stderr)
    try:
        assert wait_until(log_has(log, "idle_armed"), 30)  # first sync done, now in IDLE
        imap_server.restart()
        imap_server.append("restart", PROPOSAL_MAIL.read_bytes())
        assert wait_until(_printed(out, PROPOSAL), 60)  # reconnects with backoff, syncs by UID
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def _append_rounds(server: ImapServer, folder: str, rounds: int) -> int:
    """The demo mailbox `rounds` times over, each mail with its own Message-ID; how many."""
    server.recreate_folder(folder)
    mails = sorted(p for p in MAILBOX.rglob("*") if p.is_file() and p.name != ".gitkeep")
    with server.client() as imap:
        for round_ in range(rounds):
            for n, path in enumerate(mails):
                raw = path.read_bytes().replace(
                    b"Message-ID: <", b"Message-ID: <%s%d-%d-" % (folder.encode(), round_, n), 1
                )
                imap.append(folder, raw)
    return rounds * len(mails)


def _counts(db_path: Path) -> tuple[int, int, int]:
    """(mails recorded, events, distinct events) as another reader of the store sees them."""
    import sqlite3  # noqa: PLC0415 - reading the store as a user's sqlite3 would

    with sqlite3.connect(db_path) as db:
        mails = db.execute("SELECT count(*) FROM mails").fetchone()[0]
        events = db.execute("SELECT count(*), count(DISTINCT message_key) FROM events").fetchone()
    return mails, events[0], events[1]


def test_a_server_restart_during_a_fetch_loses_and_duplicates_nothing(imap_server, tmp_path):
    total = _append_rounds(imap_server, "fetching", 15)
    # A connection whose server went away is noticed by the socket timeout at worst.
    env = env_for(imap_server, tmp_path, "fetching") | {"ALIWATCH_IMAP_TIMEOUT": "3"}
    process = subprocess.Popen(
        [ALIWATCH, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    log: list[str] = []
    try:
        for line in process.stderr:  # type: ignore[union-attr]
            log.append(line)
            if "imap.sync.progress" in line:
                # Freeze the daemon between two FETCHes of the backfill, restart the server
                # under it (its connection dies), and let it go on: its next FETCH fails.
                process.send_signal(signal.SIGSTOP)
                imap_server.restart()
                process.send_signal(signal.SIGCONT)
                break
        rest = read_lines(process.stderr)
        wait_until(lambda: _counts(tmp_path / "aliwatch.db")[0] == total, 60)
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    log += rest
    import sqlite3  # noqa: PLC0415 - reading the store as a user's sqlite3 would

    with sqlite3.connect(tmp_path / "aliwatch.db") as db:
        spans = db.execute(
            "SELECT account, folder, uidvalidity, count(*), min(uid), max(uid) FROM mails"
            " GROUP BY 1, 2, 3"
        ).fetchall()
    story = "".join(log) + f"\nmails by folder: {spans}"
    assert any("sync_failed" in line for line in log), story  # the restart really hit a sync
    assert _counts(tmp_path / "aliwatch.db") == (total, total, total), story


def test_sigkill_mid_backfill_loses_and_duplicates_nothing(imap_server, tmp_path):
    imap_server.recreate_folder("killed")
    mails = sorted(p for p in MAILBOX.rglob("*") if p.is_file() and p.name != ".gitkeep")
    with imap_server.client() as imap:
        for round_ in range(15):  # 330 mails, each with its own Message-ID
            for n, path in enumerate(mails):
                raw = path.read_bytes().replace(
                    b"Message-ID: <", b"Message-ID: <k%d-%d-" % (round_, n), 1
                )
                imap.append("killed", raw)
    env = env_for(imap_server, tmp_path, "killed")
    process = subprocess.Popen(
        [ALIWATCH, "run", "--once"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stderr:  # type: ignore[union-attr]
        if "imap.sync.progress" in line:
            process.kill()  # SIGKILL in the middle of the batch
            break
    assert process.wait(timeout=30) == -9  # it really was killed mid-batch
    again = subprocess.run(
        [ALIWATCH, "run", "--once"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    import sqlite3  # noqa: PLC0415 - reading the store as a user's sqlite3 would

    with sqlite3.connect(tmp_path / "aliwatch.db") as db:
        mails_recorded = db.execute("SELECT count(*) FROM mails").fetchone()[0]
        events = db.execute("SELECT count(*), count(DISTINCT message_key) FROM events").fetchone()
    assert mails_recorded == 15 * len(mails)
    assert events[0] == events[1] == 15 * len(mails)


def _run_once(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALIWATCH, "run", "--once"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_run_once_with_a_wrong_password_says_so_plainly(imap_server, tmp_path):
    # One wrong login only: Dovecot delays later logins from this address after each.
    wrong = "not-" + imap_server.password
    env = env_for(imap_server, tmp_path, "INBOX") | {"ALIWATCH_IMAP_PASSWORD": wrong}
    result = _run_once(env)
    assert result.returncode == 1
    assert f"refused the login for {imap_server.user}" in result.stderr
    # The server's reason, as text: Dovecot's has an RFC 5530 code, Cyrus says "NO Login failed:
    # authentication failure" without one.
    reason = (
        "authentication failure" if isinstance(imap_server, Cyrus) else "[AUTHENTICATIONFAILED]"
    )
    assert reason in result.stderr and "b'" not in result.stderr
    assert "Traceback" not in result.stderr
    assert wrong not in result.stdout + result.stderr


def test_run_once_against_a_certificate_that_does_not_verify_names_the_fix(imap_server, tmp_path):
    env = env_for(imap_server, tmp_path, "INBOX")
    del env["ALIWATCH_IMAP_CA_FILE"]  # the system trust store does not know the test CA
    result = _run_once(env)
    assert result.returncode == 1
    assert "did not verify" in result.stderr and "ALIWATCH_IMAP_CA_FILE" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_run_once_backfills_over_ssl_and_starttls(imap_server, tmp_path, security):
    folder = f"tls-{security}"
    imap_server.recreate_folder(folder)
    imap_server.append(folder, PROPOSAL_MAIL.read_bytes())
    port = imap_server.imaps_port if security == "ssl" else imap_server.imap_port
    env = env_for(imap_server, tmp_path, folder) | {
        "ALIWATCH_IMAP_SECURITY": security,
        "ALIWATCH_IMAP_PORT": str(port),
    }
    result = _run_once(env | {"ALIWATCH_LOG_FORMAT": "json"})
    assert result.returncode == 0, result.stderr
    assert "one pass: 1 new events" in result.stdout


def _free() -> int:
    from tests.servers.dovecot import _free_port  # noqa: PLC0415 - one helper, one test

    return _free_port()


@pytest.mark.parametrize(
    ("setting", "status", "said"),
    [
        ({"ALIWATCH_IMAP_HOST": "imap.aliwatch.invalid"}, 1,
         "cannot resolve ALIWATCH_IMAP_HOST imap.aliwatch.invalid: "),
        ({"ALIWATCH_IMAP_PORT": "unused"}, 1, "refused the connection"),
        ({"ALIWATCH_IMAP_PORT": "plain", "ALIWATCH_IMAP_SECURITY": "ssl"}, 2,
         "speaks plain IMAP, not TLS"),
        ({"ALIWATCH_IMAP_SECURITY": "starttls"}, 2, "speaks TLS"),
    ],
    ids=["unresolvable", "refused", "ssl-on-plain", "starttls-on-tls"],
)  # fmt: skip
def test_run_that_never_reaches_the_mailbox_ends_with_the_reason(
    dovecot, tmp_path, setting, status, said
):
    # The service would otherwise retry in silence until systemd's TimeoutStartSec= (5 min).
    ports = {"unused": str(_free()), "plain": str(dovecot.imap_port)}
    env = env_for(dovecot, tmp_path, "INBOX") | {
        name: ports.get(value, value) for name, value in setting.items()
    }
    result = subprocess.run(
        [ALIWATCH, "run"], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert result.returncode == status, result.stderr
    final = result.stderr.splitlines()[-1]
    assert final.startswith("aliwatch: ") and said in final
    assert "lost the connection" not in result.stderr
    assert "Traceback" not in result.stderr
    # The journal has the same sentence, as the reason of the start_failed line.
    failed = [line for line in result.stderr.splitlines() if '"start_failed"' in line]
    assert failed and said in failed[0], result.stderr
    assert dovecot.password not in result.stdout + result.stderr

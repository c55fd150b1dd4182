"""The daemon stops promptly whatever its channels do, a hung channel holds up nothing else,
every folder is watched (on Dovecot and Cyrus), and a frozen watching connection is replaced."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_run_imap import ALIWATCH, PROPOSAL, PROPOSAL_MAIL, env_for
from tests.servers.cyrus import ImapServer
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import MuteServer, SmtpServer
from tests.support import Daemon, log_has, wait_until

pytestmark = pytest.mark.real_server


def test_sigterm_ends_the_daemon_within_10_s_while_smtp_hangs(dovecot: Dovecot, tmp_path):
    mute = MuteServer()
    dovecot.recreate_folder("hung")
    dovecot.append("hung", PROPOSAL_MAIL.read_bytes())
    env = env_for(dovecot, tmp_path, "hung") | mute.env()
    daemon = Daemon(env)
    try:
        assert mute.accepted.wait(30)  # the alert mail is being sent to a server that is mute
        assert daemon.wait_for(daemon.log, '"event": "sync_done"', 30)
        daemon.process.send_signal(signal.SIGTERM)
        assert daemon.process.wait(timeout=10) == 0  # not ALIWATCH_SMTP_TIMEOUT (120 s)
        assert daemon.wait_for(daemon.log, '"event": "stopped"', 2)
    finally:
        daemon.stop()
        mute.close()


def test_a_stop_during_a_slow_send_lets_it_finish_so_it_is_never_sent_again(
    dovecot: Dovecot, smtp_server: SmtpServer, tmp_path
):
    # Breaking the send off after the server took the mail, before its "250", would leave it
    # unrecorded and mailed again after the restart: a slow send is left to end.
    dovecot.recreate_folder("slow")
    dovecot.append("slow", PROPOSAL_MAIL.read_bytes())
    smtp_server.recorder.answer_after = 1.5
    env = env_for(dovecot, tmp_path, "slow") | smtp_server.env()
    daemon = Daemon(env)
    try:
        assert smtp_server.recorder.wait_for(1, 30)  # taken; the answer comes in 1.5 s
        daemon.process.send_signal(signal.SIGTERM)
        assert daemon.process.wait(timeout=10) == 0
    finally:
        daemon.stop()
    assert wait_until(log_has(daemon.log, "alert_sent", '"channel": "email"'), 5)
    smtp_server.recorder.answer_after = 0.0
    again = subprocess.run(
        [ALIWATCH, "run", "--once"], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    sent = [m["Message-ID"] for m in smtp_server.messages]  # one per alert and recipient
    assert sent and len(set(sent)) == len(sent), (sent, daemon.log, again.stderr)


def test_a_hung_channel_holds_up_neither_sync_nor_the_other_channels(dovecot: Dovecot, tmp_path):
    mute = MuteServer()
    dovecot.recreate_folder("other")
    env = env_for(dovecot, tmp_path, "other") | mute.env()
    daemon = Daemon(env)
    try:
        assert daemon.wait_for(daemon.log, '"event": "sync_done"', 30)
        dovecot.append("other", PROPOSAL_MAIL.read_bytes())
        assert mute.accepted.wait(30)  # the email channel is stuck on it now
        # The email channel hangs; new mail is still synced meanwhile.
        second = PROPOSAL_MAIL.read_bytes().replace(b"Message-ID: <", b"Message-ID: <second-", 1)
        dovecot.append("other", second)

        def synced() -> int:
            return sum('"new_events": 1' in line and "sync_done" in line for line in daemon.log)

        assert wait_until(lambda: synced() >= 2, 15)  # synced while the email send hung
    finally:
        assert daemon.stop() == 0
        mute.close()


def test_every_configured_folder_is_watched(imap_server: ImapServer, tmp_path):
    for folder in ("first", "second"):
        imap_server.recreate_folder(folder)
    env = env_for(imap_server, tmp_path, "first,second") | {"ALIWATCH_POLL_SECONDS": "3600"}
    daemon = Daemon(env)
    try:
        assert wait_until(log_has(daemon.log, "idle_armed", '"folder_index": 0'), 30)
        assert wait_until(log_has(daemon.log, "idle_armed", '"folder_index": 1'), 30)
        imap_server.append("second", PROPOSAL_MAIL.read_bytes())
        assert daemon.wait_for(daemon.out, PROPOSAL, 10)  # not after the hour's poll
    finally:
        assert daemon.stop() == 0


def _imap_processes(dovecot: Dovecot) -> list[tuple[int, int]]:
    """(start time, pid) of each of this Dovecot's `imap` processes (one per client), oldest
    first; its processes are named after its instance (tests/servers/dovecot.py)."""
    name = f"dovecot-aliwatch-test-{dovecot.imaps_port}/imap".encode()
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            cmdline = (stat.parent / "cmdline").read_bytes().rstrip(b"\0")
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if cmdline == name:
            found.append((int(fields[19]), int(stat.parent.name)))
    return sorted(found)


def test_a_frozen_watching_connection_is_replaced_and_the_mail_recorded_within_60_s(
    dovecot: Dovecot, tmp_path
):
    # Dovecot serves each connection from an `imap` process of its own: the newest one after
    # start-up serves the watching connection (it is opened after the first sync's). Cyrus
    # hands connections to preforked processes, so this test stays with Dovecot.
    dovecot.recreate_folder("frozen")
    env = env_for(dovecot, tmp_path, "frozen")
    daemon = Daemon(env)
    frozen = None
    try:
        assert wait_until(log_has(daemon.log, "idle_armed"), 30)
        frozen = _imap_processes(dovecot)[-1][1]
        os.kill(frozen, signal.SIGSTOP)
        dovecot.append("frozen", PROPOSAL_MAIL.read_bytes())
        assert daemon.wait_for(daemon.out, PROPOSAL, 60)
        assert any('"event": "idle_failed"' in line for line in daemon.log)
        assert daemon.wait_for(daemon.log, '"event": "idle_replaced"', 5)
    finally:
        if frozen is not None:
            os.kill(frozen, signal.SIGCONT)
        assert daemon.stop() == 0

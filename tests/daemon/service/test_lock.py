"""One daemon per store: a second `run` exits 2 naming the first, read-only commands still work."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest

from aliwatch.daemon.service.lock import AlreadyRunningError, DaemonLock, lock_path
from tests.e2e.test_run_imap import ALIWATCH, PROPOSAL_MAIL, env_for
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from tests.support import Daemon, log_has, wait_until


def test_a_second_lock_on_one_database_names_the_holder(tmp_path):
    db = tmp_path / "aliwatch.db"
    with DaemonLock(db) as first:
        assert first.holder() is not None
        with pytest.raises(AlreadyRunningError, match=rf"already running \(pid \d+\) on {db}"):
            DaemonLock(db).acquire()
    assert DaemonLock(db).holder() is None
    assert lock_path(db).exists()  # left behind, empty: it is only a hint


def test_a_lock_dies_with_its_process(tmp_path):
    db = tmp_path / "aliwatch.db"
    # The holder keeps the lock until its stdin closes: it waits on that, not on a clock.
    holder = subprocess.Popen(
        ["python3", "-c", "import fcntl, os, sys\n"
         f"fd = os.open({str(lock_path(db))!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'4242'); print('held', flush=True)\n"
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert DaemonLock(db).holder() == 4242
        holder.kill()  # SIGKILL: no clean-up runs; the kernel drops the lock
        holder.wait()
        with DaemonLock(db):
            pass
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.real_server
def test_two_runs_on_one_store_the_second_exits_2_and_one_proposal_is_one_mail(
    dovecot: Dovecot, smtp_server: SmtpServer, tmp_path
):
    dovecot.recreate_folder("twice")
    env = env_for(dovecot, tmp_path, "twice") | smtp_server.env()
    with Daemon(env) as first:
        assert first.wait_for(first.log, '"event": "sync_done"', 30)
        for args in (["run"], ["run", "--once"]):
            second = subprocess.run(
                [ALIWATCH, *args], env=env, capture_output=True, text=True, timeout=60,
                check=False,
            )  # fmt: skip
            assert second.returncode == 2, second.stderr
            assert f"already running (pid {first.process.pid}) on {tmp_path}" in second.stderr
        # Read-only commands still work beside it, and check names it.
        status = subprocess.run([ALIWATCH, "status"], env=env, capture_output=True, text=True,
                                timeout=60, check=False)  # fmt: skip
        assert status.returncode == 0, status.stderr
        check = subprocess.run([ALIWATCH, "check"], env=env, capture_output=True, text=True,
                               timeout=60, check=False)  # fmt: skip
        assert f"running (pid {first.process.pid})" in check.stdout
        dovecot.append("twice", PROPOSAL_MAIL.read_bytes())
        assert smtp_server.recorder.wait_for(1, 30)
        assert wait_until(log_has(first.log, "alert_sent", '"channel": "email"'), 10)
        assert first.sigterm() == 0
    subjects = [m["Subject"] for m in smtp_server.recorder.messages]
    assert len(subjects) == 1, (subjects, [line for line in first.log if "alert" in line])
    # Once the first has stopped, a run starts as usual.
    after = subprocess.run([ALIWATCH, "run", "--once"], env=env, capture_output=True, text=True,
                           timeout=120, check=False)  # fmt: skip
    assert after.returncode == 0, after.stderr
    assert len(smtp_server.recorder.messages) == 1


def test_the_service_waits_for_a_run_once_and_a_run_once_does_not_wait(tmp_path):
    db = tmp_path / "state" / "aliwatch.db"
    once = DaemonLock(db, once=True)
    once.acquire()
    waited: list[int] = []
    service = DaemonLock(db)
    thread = threading.Thread(target=service.acquire, args=(waited.append,))
    thread.start()
    try:
        assert wait_until(lambda: waited, 5)
        assert waited == [os.getpid()]
        assert thread.is_alive()  # still waiting: the --once run holds it
        with pytest.raises(AlreadyRunningError):
            DaemonLock(db, once=True).acquire()
    finally:
        once.release()
        thread.join(5)
    assert not thread.is_alive()
    assert service.holder() == os.getpid()
    with pytest.raises(AlreadyRunningError):
        DaemonLock(db).acquire(waited.append)  # a loop run is never waited for
    service.release()
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700


def test_two_names_of_one_database_share_one_lock(tmp_path):
    real = tmp_path / "aliwatch.db"
    real.touch()
    (tmp_path / "link.db").symlink_to(real)
    with DaemonLock(real), pytest.raises(AlreadyRunningError):
        DaemonLock(tmp_path / "link.db").acquire()

"""What was sent survives a crash followed by the loss of the WAL: the main file holds it.

After SIGKILL the latest commits live only in the `-wal` file until a checkpoint copies them
into the database (https://www.sqlite.org/wal.html); a user or a cleanup script deleting
`aliwatch.db-wal` before the next start loses them, and the alerts they recorded as sent are
decided again and mailed twice.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aliwatch.daemon.store import Store
from tests.support import NOW

N = 100
CHANNEL = "email"

# A process that records N alerts the way the daemon does (evaluate: add_alert; the outbox:
# fan_out, claim, send, delivered), says so and waits to be killed: no close, which would
# checkpoint. With "skipped" it records them as a rebuilt store's catch-up does instead.
CHILD = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta
    from pathlib import Path
    from aliwatch.daemon.store import Store

    path, mode, n, channel, now = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], \\
        datetime.fromisoformat(sys.argv[5])
    store = Store.open(Path(path))
    for i in range(n):
        store.add_alert(f"alert-{i}", order_id=None, rule="protection_ending",
                        due=now + timedelta(days=7), payload={"text": "x" * 400, "i": i},
                        now=now, skipped="caught up" if mode == "skipped" else None)
    if mode == "sent":
        store.fan_out([channel], now)
        for delivery in store.due_deliveries([channel], now):
            key = delivery.alert.key
            assert store.claim(key, channel, "child", now, now + timedelta(minutes=15))
            assert store.delivered(key, channel, now)
    print("recorded", flush=True)
    sys.stdin.read()
    """
)


def resent_after_crash_and_wal_loss(db_path: Path, mode: str) -> int:
    """How many of the N alerts a store would send again after the recording process was
    killed and its -wal and -shm files deleted."""
    with Store.open(db_path):
        pass  # a store a daemon made before, closed cleanly: its schema is in the main file
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), mode, str(N), CHANNEL, NOW.isoformat()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "recorded"
        wal = db_path.with_name(db_path.name + "-wal")
        assert wal.exists()  # the child's connection is still open: nothing cleaned it up
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    with Store.open(db_path) as store:
        # The next daemon decides the same alerts again (daemon/alerts/evaluate.py): a key it
        # still knows is not added twice; one it lost is new, fanned out and sent.
        for i in range(N):
            store.add_alert(
                f"alert-{i}",
                order_id=None,
                rule="protection_ending",
                due=None,
                payload={"i": i},
                now=NOW,
            )
        store.fan_out([CHANNEL], NOW)
        return len(store.due_deliveries([CHANNEL], NOW))


@pytest.mark.parametrize("mode", ["sent", "skipped"])
def test_alerts_recorded_as_sent_are_not_sent_again_after_a_crash_and_a_deleted_wal(db_path, mode):
    assert resent_after_crash_and_wal_loss(db_path, mode) == 0


def sent_in_main_file(db_path: Path, tmp_path: Path) -> int:
    """Deliveries marked sent in the database file alone, as if its WAL were deleted now."""
    alone = tmp_path / "alone.db"
    shutil.copyfile(db_path, alone)
    db = sqlite3.connect(alone)
    try:
        return int(db.execute("SELECT count(*) FROM deliveries WHERE state = 'sent'").fetchone()[0])
    finally:
        db.close()


def test_a_send_a_reader_held_back_from_the_main_file_gets_there_at_the_next_commit(
    db_path, tmp_path
):
    with Store.open(db_path):
        pass  # closed cleanly: the schema is in the main file
    store = Store.open(db_path)
    store.add_alert("alert-0", order_id=None, rule="attention", due=None, payload={}, now=NOW)
    store.fan_out([CHANNEL], NOW)
    reader = sqlite3.connect(db_path, isolation_level=None)  # `aliwatch status`, say
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM alerts").fetchall()  # holds an older snapshot
        assert store.delivered("alert-0", CHANNEL, NOW)  # does not wait for the reader
        assert sent_in_main_file(db_path, tmp_path) == 0
        reader.execute("COMMIT")
    finally:
        reader.close()
    with store:
        store.set_health("last_check_ok", NOW)  # any later commit
        assert sent_in_main_file(db_path, tmp_path) == 1

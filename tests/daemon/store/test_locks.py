"""Opening a second connection (the delivery worker's) never costs the first one its WAL."""

from __future__ import annotations

import subprocess
import sys

from aliwatch.daemon.store import Store
from tests.daemon.store.conftest import fixture, key
from tests.support import NOW

_OTHER_PROCESS = (
    "import sqlite3, sys\n"
    "db = sqlite3.connect(sys.argv[1])\n"
    "print(db.execute('SELECT count(*) FROM mails').fetchone()[0])\n"
    "db.close()\n"
)


def _seen_by_another_process(path) -> int:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, str(path)], capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    return int(result.stdout)


def test_writes_stay_visible_after_a_second_open_and_a_reader_elsewhere(tmp_path):
    # A reader in another process (`aliwatch status` beside the daemon) that closes last must
    # not delete the WAL of a connection still open here (sqlite.org/howtocorrupt.html, 2.2).
    path = tmp_path / "state.db"
    event, digest = fixture("order/order_shipped_en.eml")
    with Store.open(path) as daemon:
        daemon.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
        with Store.open(path):  # the delivery worker's own connection
            assert _seen_by_another_process(path) == 1
            daemon.record(key(2), None, raw_digest="2" * 64, status="failed", error="x", now=NOW)
            assert _seen_by_another_process(path) == 2
            assert (tmp_path / "state.db-wal").exists()

"""`make bench-idle`: mail appended one at a time during IDLE, each timed from APPEND to event.

200 AliExpress mails go into a watched folder at random gaps of 0.2-5 s (seeded), with the poll
set to an hour so that only IDLE can bring them in; for each, the time from the APPEND's answer
to its event in the store. Target: every one within 1.5 s (p50, p99 and max reported), none
left to the poll. Run against each real server in the suite: Dovecot and Cyrus.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.test_run_imap import env_for
from tests.servers.cyrus import Cyrus
from tests.servers.dovecot import Dovecot

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
SHIPPED = (ROOT / "tests" / "fixtures" / "order" / "order_shipped_en.eml").read_bytes()
TARGET_SECONDS = 1.5
_MESSAGE_ID = re.compile(rb"(?im)^Message-ID:\s*(<[^>]+>)")


def _mail(n: int) -> tuple[bytes, str]:
    raw = SHIPPED.replace(b"Message-ID: <", b"Message-ID: <idle%d-" % n, 1)
    found = _MESSAGE_ID.search(raw)
    assert found is not None
    return raw, found.group(1).decode()


class Watcher:
    """Polls the store every 10 ms and notes when each awaited Message-ID's event appears."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.waiting: dict[str, float] = {}  # Message-ID -> APPEND answered (monotonic)
        self.seen: dict[str, float] = {}  # Message-ID -> seconds from APPEND to event
        self.lock = threading.Lock()
        self.stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def expect(self, message_id: str, appended: float) -> None:
        with self.lock:
            self.waiting[message_id] = appended

    def _run(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                pending = dict(self.waiting)
            if pending and self.db.exists():
                try:
                    with sqlite3.connect(self.db) as conn:
                        marks = ",".join("?" * len(pending))
                        rows = conn.execute(
                            f"SELECT message_key FROM events WHERE message_key IN ({marks})",  # noqa: S608 - placeholders only
                            list(pending),
                        ).fetchall()
                except sqlite3.Error:
                    rows = []
                now = time.monotonic()
                with self.lock:
                    for (key,) in rows:
                        if key in self.waiting:
                            self.seen[key] = now - self.waiting.pop(key)
            self.stop.wait(0.01)


def run(server: Dovecot | Cyrus, name: str, mails: int, seed: int, work: Path) -> dict[str, object]:
    folder = f"idle-{name}"
    server.recreate_folder(folder)
    db = work / f"{name}.db"
    env = env_for(server, work, folder) | {
        "ALIWATCH_DB_PATH": str(db),
        "ALIWATCH_POLL_SECONDS": "3600",
        "ALIWATCH_LOG_FORMAT": "json",
    }
    daemon = subprocess.Popen(
        [ALIWATCH, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(daemon.stderr), daemon=True).start()  # type: ignore[arg-type]
    watcher = Watcher(db)
    rng = random.Random(seed)  # noqa: S311 - gaps between mails, not secrets
    try:
        deadline = time.monotonic() + 60
        while not any("sync_done" in line for line in log) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the watching connection arms right after the first sync
        with server.client() as imap:
            for n in range(mails):
                time.sleep(rng.uniform(0.2, 5.0))
                raw, message_id = _mail(n)
                imap.append(folder, raw)
                watcher.expect(message_id, time.monotonic())
        deadline = time.monotonic() + 120
        while watcher.waiting and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watcher.stop.set()
        daemon.terminate()
        daemon.wait(15)
    waits = sorted(watcher.seen.values())
    within = sum(w <= TARGET_SECONDS for w in waits)
    return {
        "server": name,
        "mails": mails,
        "recorded": len(waits),
        "within_target": within,
        "p50_s": round(statistics.median(waits), 3) if waits else None,
        "p99_s": round(waits[min(len(waits) - 1, int(len(waits) * 0.99))], 3) if waits else None,
        "max_s": round(waits[-1], 3) if waits else None,
        "probes_and_rearms": sum('"event": "folder_synced"' in line for line in log),
        "idle_failures": sum('"event": "idle_failed"' in line for line in log),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mails", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--server", choices=("dovecot", "cyrus", "both"), default="both")
    args = parser.parse_args()
    servers = ("dovecot", "cyrus") if args.server == "both" else (args.server,)
    results, ok = [], True
    with tempfile.TemporaryDirectory() as tmp:
        for name in servers:
            server = Dovecot() if name == "dovecot" else Cyrus()
            with server:
                result = run(server, name, args.mails, args.seed, Path(tmp))
            results.append(result)
            met = result["within_target"] == args.mails
            ok = ok and met
            print(
                f"{name}: {result['recorded']}/{args.mails} recorded, {result['within_target']} "
                f"within {TARGET_SECONDS} s; p50 {result['p50_s']} s, p99 {result['p99_s']} s, "
                f"max {result['max_s']} s (seed {args.seed}) -> {'met' if met else 'NOT MET'}"
            )
    print(json.dumps(results))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

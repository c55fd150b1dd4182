"""`make bench`: the daemon against a private Dovecot, each figure beside its floor or target.

Every figure this project promises, in one run: the backfill of a 5,000-message folder (1,000
AliExpress) by `aliwatch run --once` against a floor process that finds, fetches and parses the
same mail with imapclient and mail-parser; the first sync of 100,000 messages against its floor
(bench_large.py); `aliwatch parse` against mail-parser alone (bench_parse.py); APPEND -> alert
sent through IDLE over 20 mails; commands and bytes of an empty poll at 100 and 10,000
messages; the peak RSS of `aliwatch run --once`; what start-up takes of the backfill, against
the floor's imports (bench_startup.py).
"""

from __future__ import annotations

import argparse
import imaplib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.sources.imap import ImapSession, sync_folder
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy
from tests.servers.dovecot import Dovecot

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
SAMPLES = sorted(
    p for d in (ROOT / "tests" / "fixtures", ROOT / "examples" / "mailbox")
    for p in d.rglob("*") if p.is_file() and p.suffix != ".json" and p.name != ".gitkeep"
)  # fmt: skip
PROPOSAL = ROOT / "examples" / "mailbox" / "new" / "1795679538.M21P100.demo"
OTHER = (
    "From: Newsletter <news@shop.example>\r\nTo: alex@example.net\r\nSubject: Weekly deals {n}\r\n"
    "Message-ID: <other-{n}@shop.example>\r\nDate: {date}\r\nContent-Type: text/plain\r\n\r\n"
    "Nothing to do with AliExpress. {n}\r\n"
)


def aliexpress_mail(n: int) -> bytes:
    raw = SAMPLES[n % len(SAMPLES)].read_bytes()
    raw = re.sub(rb"(?im)^Message-ID:\s*<", b"Message-ID: <bench%d-" % n, raw, count=1)
    return raw


def fill(server: Dovecot, folder: str, total: int, aliexpress: int) -> None:
    now = format_datetime(datetime.now(UTC))
    with server.client() as imap:
        if imap.folder_exists(folder):
            imap.delete_folder(folder)
        imap.create_folder(folder)
        step = max(1, total // max(1, aliexpress))
        for n in range(total):
            if aliexpress and n % step == 0 and n // step < aliexpress:
                imap.append(folder, aliexpress_mail(n))
            else:
                imap.append(folder, OTHER.format(n=n, date=now).encode())


def env_for(server: Dovecot, folder: str, db: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(db.parent),
        "ALIWATCH_DB_PATH": str(db),
        "ALIWATCH_IMAP_HOST": server.host,
        "ALIWATCH_IMAP_PORT": str(server.imaps_port),
        "ALIWATCH_IMAP_USER": server.user,
        "ALIWATCH_IMAP_PASSWORD": server.password,
        "ALIWATCH_IMAP_CA_FILE": str(server.ca_file),
        "ALIWATCH_IMAP_FOLDERS": folder,
        "ALIWATCH_BACKFILL_DAYS": "36500",
        "ALIWATCH_LOG_FORMAT": "json",
    }


def run_once(server: Dovecot, folder: str, workdir: Path) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one `aliwatch run --once` backfill into a fresh store."""
    db = workdir / f"bench-{time.monotonic_ns()}.db"
    start = time.perf_counter()
    process = subprocess.Popen(
        [ALIWATCH, "run", "--once"], env=env_for(server, folder, db),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"aliwatch run --once failed with status {status}")
    return elapsed, usage.ru_maxrss


# How the floor finds the AliExpress mail: the server's search (the 5,000 backfill), or every
# header's From and Subject scanned here (the 100,000 first sync, bench_large.py).
_BY_SEARCH = 'wanted = imap.search(["OR", "FROM", "aliexpress", "FROM", "privaterelay"])'
_BY_HEADERS = """uids = imap.search(["ALL"])
wanted = []
for start in range(0, len(uids), 1000):
    answer = imap.fetch(uids[start:start + 1000], [b"BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)]"])
    for uid, data in answer.items():
        lines = data[b"BODY[HEADER.FIELDS (FROM SUBJECT)]"].lower()
        if b"aliexpress" in lines or b"privaterelay" in lines:
            wanted.append(uid)"""


def floor(server: Dovecot, folder: str, *, scan_headers: bool = False) -> float:
    """One process: find the AliExpress mail, fetch it whole, parse it with mail-parser."""
    script = f"""
import mailparser, ssl
from imapclient import IMAPClient
imap = IMAPClient({server.host!r}, {server.imaps_port}, ssl=True,
                  ssl_context=ssl.create_default_context(cafile={str(server.ca_file)!r}))
imap.login({server.user!r}, {server.password!r})
imap.select_folder({folder!r}, readonly=True)
{_BY_HEADERS if scan_headers else _BY_SEARCH}
for start in range(0, len(wanted), 200):
    for data in imap.fetch(wanted[start:start + 200], [b"BODY.PEEK[]"]).values():
        mailparser.parse_from_bytes(data[b"BODY[]"])
imap.logout()
"""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], check=True)
    return time.perf_counter() - start


@contextmanager
def counted() -> Iterator[dict[str, int]]:
    """Count IMAP commands and bytes both ways by wrapping imaplib (what imapclient uses)."""
    counts = {"commands": 0, "bytes_sent": 0, "bytes_received": 0}
    originals = (imaplib.IMAP4._command, imaplib.IMAP4.send, imaplib.IMAP4.readline)

    def command(self, name, *args):  # type: ignore[no-untyped-def]
        counts["commands"] += 1
        return originals[0](self, name, *args)

    def send(self, data):  # type: ignore[no-untyped-def]
        counts["bytes_sent"] += len(data)
        return originals[1](self, data)

    def readline(self):  # type: ignore[no-untyped-def]
        line = originals[2](self)
        counts["bytes_received"] += len(line)
        return line

    imaplib.IMAP4._command, imaplib.IMAP4.send, imaplib.IMAP4.readline = command, send, readline  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        imaplib.IMAP4._command, imaplib.IMAP4.send, imaplib.IMAP4.readline = originals  # type: ignore[method-assign]


def empty_poll(server: Dovecot, folder: str, size: int, workdir: Path) -> dict[str, int]:
    """Commands and bytes of a sync that finds nothing new, in a folder of `size` messages."""
    fill(server, folder, size, 0)
    settings = Settings(**{
        "imap_host": server.host, "imap_port": server.imaps_port, "imap_user": server.user,
        "imap_password": server.password, "imap_ca_file": server.ca_file,
    })  # fmt: skip
    now = datetime.now(UTC)
    with Store.open(workdir / f"poll-{size}.db") as store, ImapSession(settings.imap()) as session:
        args = {"account": "bench", "folder": folder, "now": now, "auth": AuthPolicy()}
        sync_folder(session, store, backfill_days=36500, **args)  # the backfill
        with counted() as counts:
            sync_folder(session, store, backfill_days=36500, **args)  # the empty poll
    return counts


def latency(server: Dovecot, workdir: Path, mails: int = 20) -> list[float]:
    """Seconds from APPEND done to the alert sent, with the daemon in IDLE.

    Each mail is a seller's proposal for an order of its own (one alert per order and rule:
    the same order twice would raise one alert), and the time ends at the daemon's own
    alert_sent line for that order (the console channel's send).
    """
    folder = "latency"
    fill(server, folder, 1, 0)
    db = workdir / "latency.db"
    daemon = subprocess.Popen(
        [ALIWATCH, "run"], env=env_for(server, folder, db),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    synced = threading.Event()
    sent: dict[str, float] = {}
    alerted = threading.Condition()

    def watch_log() -> None:
        for line in daemon.stderr:  # type: ignore[union-attr]
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("event") in ("imap.sync.done", "sync_done"):
                synced.set()
            elif entry.get("event") == "alert_sent" and entry.get("order"):
                with alerted:
                    sent.setdefault(str(entry["order"]), time.perf_counter())
                    alerted.notify_all()

    threading.Thread(target=watch_log, daemon=True).start()
    synced.wait(60)
    found = []
    try:
        with server.client() as imap:
            for n in range(mails):
                order = b"82%014d" % (777_000 + n)
                raw = PROPOSAL.read_bytes().replace(b"8200000000000303", order)
                raw = raw.replace(b"5010000000000303", b"50%014d" % (777_000 + n))
                raw = raw.replace(b"Message-ID: <", b"Message-ID: <late%d-" % n, 1)
                imap.append(folder, raw)
                done = time.perf_counter()
                key = order.decode()
                with alerted:
                    alerted.wait_for(lambda key=key: key in sent, timeout=30)
                if key in sent:
                    found.append(sent[key] - done)
    finally:
        daemon.terminate()
        daemon.wait(10)
    return found


def _verdict(value: float, target: float) -> str:
    return "within" if value <= target else "OVER"


def backfill(server: Dovecot, work: Path, rounds: int = 5) -> dict[str, float]:
    """`aliwatch run --once` on a 5,000-message folder (1,000 AliExpress) against the floor."""
    fill(server, "backfill", 5000, 1000)
    floor(server, "backfill")  # warm-up: the server's caches, the page cache
    run_once(server, "backfill", work)
    ours, floors, rss = [], [], []
    for _ in range(rounds):  # interleaved rounds, median (the machine is shared and noisy)
        floors.append(floor(server, "backfill"))
        seconds, peak = run_once(server, "backfill", work)
        ours.append(seconds)
        rss.append(peak)
    return {
        "backfill_seconds": round(statistics.median(ours), 2),
        "floor_seconds": round(statistics.median(floors), 2),
        "backfill_ratio": round(statistics.median(ours) / statistics.median(floors), 2),
        "peak_rss_mib": round(max(rss) / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--no-large", action="store_true", help="leave out the 100,000-message first sync"
    )
    args = parser.parse_args()
    # Sibling scripts, imported here: bench_large imports this one.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_large  # noqa: PLC0415
    import bench_parse  # noqa: PLC0415
    import bench_startup  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp, Dovecot() as server:
        work = Path(tmp)
        result: dict[str, object] = dict(backfill(server, work))
        waits = latency(server, work)
        polls = {size: empty_poll(server, f"poll{size}", size, work) for size in (100, 10_000)}
    parse = bench_parse.measure()
    startup = bench_startup.measure()
    large = None if args.no_large else bench_large.measure()
    result |= {
        "alert_latency_p50_seconds": round(statistics.median(waits), 3) if waits else None,
        "alert_latency_max_seconds": round(max(waits), 3) if waits else None,
        "alert_latency_seen": len(waits),
        "empty_poll_100": polls[100],
        "empty_poll_10000": polls[10_000],
        "parse": parse,
        "startup": startup,
        "large": large,
    }
    ratio = float(result["backfill_ratio"])  # type: ignore[arg-type]
    lines = [
        f"backfill 5,000 msgs (1,000 AliExpress): {result['backfill_seconds']} s, floor "
        f"{result['floor_seconds']} s -> {ratio}x ({_verdict(ratio, 1.5)} the 1.5x target)",
        *bench_startup.report(startup, float(result["floor_seconds"])),  # type: ignore[arg-type]
    ]
    if large is not None:
        lines += bench_large.report(large)
    p50, worst = result["alert_latency_p50_seconds"], result["alert_latency_max_seconds"]
    parse_ratio = float(parse["time_ratio"])  # type: ignore[arg-type]
    lines += [
        f"parse: {parse['aliwatch_parse_msgs_per_s']} msgs/s, mail-parser alone "
        f"{parse['mail_parser_alone_msgs_per_s']} -> {parse_ratio}x "
        f"({_verdict(parse_ratio, 1.5)} the 1.5x target)",
        f"empty poll at 100 msgs: {polls[100]}; at 10,000: {polls[10_000]} (target: the same)",
        f"APPEND -> alert sent, through IDLE: p50 {p50} s, max {worst} s over "
        f"{len(waits)}/20 mails (target p50 <= 1 s)",
        f"peak RSS of run --once (5,000 msgs): {result['peak_rss_mib']} MiB (target <= 80 MB)",
    ]
    print("\n".join(lines))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

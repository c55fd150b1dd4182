"""`make bench-large`: the first sync of a 100,000-message mailbox, beside its floor.

A private Dovecot gets one folder of 100,000 messages written straight into its Maildir:
95,000 newsletters of 20-80 KB and 5,000 AliExpress mails of 30-60 KB (the sample mails, each
with its own Message-ID, padded with HTML as real notices are). Figures, floor and aliwatch
interleaved (the machine is shared: the ratio is what holds):

- the floor: one process that scans every header (imapclient, From and Subject, 1,000 a
  FETCH), fetches the mail whose From names AliExpress and parses it with mail-parser;
- `aliwatch run --once` into a fresh store: its time, its peak RSS (sampled from /proc, with
  any child process it starts counted in), and its progress lines: the longest gap between
  two, and that each has a rate and an ETA.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_daemon
from bench_daemon import ALIWATCH, SAMPLES, env_for

from tests.servers.dovecot import Dovecot

FOLDER = "large"
TOTAL = 100_000
ALIEXPRESS = 5_000
RSS_TARGET_MB = 80
PROGRESS_GAP_TARGET = 5.0
_WORDS = (
    "sale", "deals", "weekly", "newsletter", "offer", "shipping", "discount", "member", "price",
    "store", "garden", "kitchen", "travel", "summer", "winter", "update", "news", "points",
)  # fmt: skip


def _filler(rng: random.Random, size: int) -> bytes:
    """`size` bytes of HTML paragraphs of newsletter words."""
    out, length = [], 0
    while length < size:
        line = "<p>" + " ".join(rng.choices(_WORDS, k=14)) + "</p>\r\n"
        out.append(line)
        length += len(line)
    return "".join(out).encode()[:size]


def _newsletter(n: int, body: bytes) -> bytes:
    head = (
        f"From: Shop {n % 97} <news@shop{n % 97}.example>\r\nTo: alex@example.net\r\n"
        f"Subject: Weekly deals {n}\r\nMessage-ID: <large-{n}@shop.example>\r\n"
        "Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>\r\n"
    ).encode()
    return head + body + b"\r\n</body></html>\r\n"


# The sample mails whose HTML is written plainly (not base64): they can be padded.
HTML_SAMPLES = [p for p in SAMPLES if b"</body>" in p.read_bytes().lower()]


def _aliexpress(n: int, rng: random.Random) -> bytes:
    """An HTML sample mail with its own Message-ID, padded to 30-60 KB with an HTML comment
    before its </body> (markup, as a real notice's bulk is, not words)."""
    raw = HTML_SAMPLES[n % len(HTML_SAMPLES)].read_bytes()
    raw = re.sub(rb"(?im)^Message-ID:\s*<", b"Message-ID: <large%d-" % n, raw, count=1)
    want = rng.randint(30_000, 60_000) - len(raw)
    if want > 0:
        pad = b"<!-- " + _filler(rng, want).replace(b"--", b"- ") + b" -->"
        raw = re.sub(rb"(?i)</body>", lambda _: pad + b"</body>", raw, count=1)
    return raw


def fill(server: Dovecot, seed: int = 1) -> int:
    """Write the folder's messages straight into Dovecot's Maildir; their bytes in all."""
    with server.client() as imap:
        if imap.folder_exists(FOLDER):
            imap.delete_folder(FOLDER)
        imap.create_folder(FOLDER)
    maildir = next(server.mail_root.rglob(f".{FOLDER}"))
    rng = random.Random(seed)  # noqa: S311 - filler text, not a secret
    pool = _filler(rng, 200_000)
    step = TOTAL // ALIEXPRESS
    written = 0
    for n in range(TOTAL):
        if n % step == 0:
            raw = _aliexpress(n, rng)
        else:
            size = rng.randint(20_000, 80_000)
            start = rng.randrange(0, len(pool) - size)
            raw = _newsletter(n, pool[start : start + size])
        # Maildir names (https://cr.yp.to/proto/maildir.html) in arrival order: UIDs follow it.
        (maildir / "cur" / f"{1_790_000_000 + n}.M{n}P1.bench:2,").write_bytes(raw)
        written += len(raw)
    if os.geteuid() == 0:
        owner = maildir.parent.stat()
        ids = f"{owner.st_uid}:{owner.st_gid}"
        subprocess.run(["/bin/chown", "-R", ids, str(maildir)], check=True)
    with server.client() as imap:  # Dovecot reads the new files into its index now, not timed
        imap.select_folder(FOLDER, readonly=True)
    return written


def floor(server: Dovecot) -> float:
    """One process: scan every header, fetch the AliExpress mail, parse it with mail-parser."""
    return bench_daemon.floor(server, FOLDER, scan_headers=True)


def _rss_kib(pid: int, field: str) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) if found else 0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run_once(server: Dovecot, workdir: Path) -> dict[str, object]:
    """One `aliwatch run --once` first sync into a fresh store, watched from outside."""
    db = workdir / f"large-{time.monotonic_ns()}.db"
    env = env_for(server, FOLDER, db)
    start = time.perf_counter()
    process = subprocess.Popen(
        [ALIWATCH, "run", "--once"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    peaks = {"daemon_kib": 0, "tree_kib": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            kids = _children(process.pid)
            peaks["daemon_kib"] = max(peaks["daemon_kib"], _rss_kib(process.pid, "VmHWM"))
            tree = _rss_kib(process.pid, "VmRSS") + sum(_rss_kib(k, "VmRSS") for k in kids)
            peaks["tree_kib"] = max(peaks["tree_kib"], tree)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    progress: list[tuple[float, dict[str, object]]] = []
    started_at = done_at = None
    for line in process.stderr:  # type: ignore[union-attr]
        seen = time.perf_counter() - start
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("event") == "imap.sync.start":
            started_at = seen
        elif entry.get("event") == "imap.sync.progress":
            progress.append((seen, entry))
        elif entry.get("event") == "imap.sync.done":
            done_at = seen
    status = process.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if status != 0:
        raise SystemExit(f"aliwatch run --once failed with status {status}")
    marks = [started_at or 0.0] + [t for t, _ in progress] + [done_at or elapsed]
    return {
        "seconds": elapsed,
        "progress_lines": len(progress),
        "longest_gap_seconds": max(b - a for a, b in itertools.pairwise(marks)),
        "every_line_has_rate_and_eta": bool(progress)
        and all("per_second" in e and "eta_seconds" in e and "total" in e for _, e in progress),
        "sample_line": progress[len(progress) // 2][1] if progress else None,
        **peaks,
    }


def measure(rounds: int = 2) -> dict[str, object]:
    """Fill, then `rounds` interleaved floor / aliwatch pairs; the medians and the worst peaks."""
    with tempfile.TemporaryDirectory() as tmp, Dovecot() as server:
        began = time.perf_counter()
        size = fill(server)
        filled = time.perf_counter() - began
        # Warm-up, not measured: each side's first pass over the folder makes Dovecot read
        # the header fields it asks for from 100,000 files and cache them; aliwatch's first
        # pass is kept as the cold figure.
        floor(server)
        cold = run_once(server, Path(tmp))
        floors, runs = [], []
        for _ in range(rounds):
            floors.append(floor(server))
            runs.append(run_once(server, Path(tmp)))
    ours = statistics.median(float(r["seconds"]) for r in runs)  # type: ignore[arg-type]
    base = statistics.median(floors)
    sample = runs[-1]["sample_line"] or {}
    return {
        "messages": TOTAL,
        "aliexpress": ALIEXPRESS,
        "mailbox_mib": round(size / 2**20),
        "fill_seconds": round(filled, 1),
        "first_sync_seconds": round(ours, 2),
        "floor_seconds": round(base, 2),
        "first_sync_ratio": round(ours / base, 2),
        "first_sync_cold_seconds": round(float(cold["seconds"]), 2),  # type: ignore[arg-type]
        "daemon_peak_rss_mib": round(max(int(r["daemon_kib"]) for r in runs) / 1024, 1),  # type: ignore[call-overload]
        "tree_peak_rss_mib": round(max(int(r["tree_kib"]) for r in runs) / 1024, 1),  # type: ignore[call-overload]
        "progress_lines": min(int(r["progress_lines"]) for r in runs),  # type: ignore[call-overload]
        "longest_progress_gap_seconds": round(
            max(float(r["longest_gap_seconds"]) for r in runs),
            2,  # type: ignore[arg-type]
        ),
        "progress_has_rate_and_eta": all(r["every_line_has_rate_and_eta"] for r in runs),
        "progress_sample": {
            k: sample.get(k) for k in ("examined", "total", "per_second", "eta_seconds")
        },
    }


def report(result: dict[str, object]) -> list[str]:
    """The figures as lines, each beside its target."""
    return [
        f"first sync of {result['messages']:,} msgs ({result['aliexpress']:,} AliExpress, "
        f"{result['mailbox_mib']} MiB): {result['first_sync_seconds']} s, floor "
        f"{result['floor_seconds']} s -> {result['first_sync_ratio']}x (target <= 1.5x); "
        f"its first pass, the server's caches cold: {result['first_sync_cold_seconds']} s",
        f"peak RSS during it: {result['daemon_peak_rss_mib']} MiB, with its child processes "
        f"{result['tree_peak_rss_mib']} MiB (target <= {RSS_TARGET_MB} MB)",
        f"progress: {result['progress_lines']} lines, longest gap "
        f"{result['longest_progress_gap_seconds']} s (target <= {PROGRESS_GAP_TARGET} s), rate "
        f"and ETA on every line: {result['progress_has_rate_and_eta']}; e.g. "
        f"{result['progress_sample']}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("dovecot") is None and not Path("/usr/sbin/dovecot").exists():
        print("dovecot is not installed: run make system-packages", file=sys.stderr)
        return 1
    result = measure(args.rounds)
    for line in report(result):
        print(line)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

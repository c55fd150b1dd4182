"""`make soak`: `aliwatch run` (IDLE) for a long stretch on a private Dovecot while mail arrives at
random moments and its connections are broken now and then; its memory and descriptors sampled.

Mail (fixtures and the demo mailbox, each with a Message-ID of its own, and some newsletters) is
APPENDed at exponentially spread intervals (seeded; the seed is printed). Now and then, at random,
the daemon's connections are disrupted: Dovecot is restarted, or the Dovecot `imap` process
serving its IDLE connection or its sync connection is killed, or the IDLE one is frozen for a
while (the daemon must notice by its probe). The daemon's RSS (/proc/<pid>/status VmRSS), open
descriptors (/proc/<pid>/fd) and threads are sampled every few seconds.

At the end: every appended mail has its row in `mails` and, when the parser makes an event of it,
its event; the daemon is alive, and exits 0 within 10 s of SIGTERM; after the first minute
(warm-up) RSS grew less than --rss-growth-mib and the descriptors are back to their baseline
within --fd-slack.

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--seed N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aliwatch.parsers import recognise
from tests.e2e.test_run_imap import ALIWATCH, env_for
from tests.servers.dovecot import Dovecot

FOLDER = "soak"
WARM_UP = 60.0  # seconds after the first sync that do not count towards growth
SOURCES = sorted(
    p for d in (ROOT / "tests" / "fixtures", ROOT / "examples" / "mailbox")
    for p in d.rglob("*") if p.is_file() and p.suffix != ".json" and p.name != ".gitkeep"
)  # fmt: skip
NEWSLETTER = (
    "From: Newsletter <news@shop.example>\r\nTo: alex@example.net\r\nSubject: Weekly deals {n}\r\n"
    "Message-ID: <soak-other-{seed}-{n}@shop.example>\r\nContent-Type: text/plain\r\n\r\n"
    "Nothing to do with AliExpress. {n}\r\n"
)
_MESSAGE_ID = re.compile(rb"(?i)(message-id:[ \t]*<)")
NO_EVENT = {"not_aliexpress", "promotion"}


class SoakDovecot(Dovecot):
    """The test Dovecot with verbose process titles: an `imap` process in IDLE says so
    (`dovecot-aliwatch-test-<port>/imap [user 127.0.0.1 IDLE]`), so the one serving the daemon's
    watching connection can be told from the one serving its syncs."""

    def __init__(self) -> None:
        super().__init__()
        with self.conf.open("a", encoding="utf-8") as conf:
            conf.write("verbose_proctitle = yes\n")

    def imap_processes(self) -> list[tuple[int, bool]]:
        """(pid, in IDLE) of each `imap` process of this instance."""
        prefix = f"dovecot-aliwatch-test-{self.imaps_port}/imap ".encode()
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                text = cmdline.read_bytes().rstrip(b"\0")
            except OSError:
                continue
            if text.startswith(prefix):
                found.append((int(cmdline.parent.name), text.endswith(b" IDLE]")))
        return found


@dataclass
class Sample:
    at: float  # seconds since the first sync
    rss_kib: int
    fds: int
    threads: int


def sample(pid: int, at: float) -> Sample | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return Sample(at, rss, fds, threads)


@dataclass
class Soak:
    server: SoakDovecot
    rng: random.Random
    seed: int
    appended: dict[int, bool] = field(default_factory=dict)  # UID: an event is expected
    disruptions: Counter[str] = field(default_factory=Counter)
    frozen: int | None = None
    thaw_at: float = 0.0
    expected: dict[Path, bool] = field(default_factory=dict)
    first_round: list[str] = field(default_factory=list)

    def append_one(self, n: int) -> None:
        if self.rng.random() < 0.15:
            raw = NEWSLETTER.format(n=n, seed=self.seed).encode()
            event = False
        else:
            path = self.rng.choice(SOURCES)
            tag = b"soak%d.%d." % (self.seed, n)
            raw = _MESSAGE_ID.sub(lambda m: m.group(1) + tag, path.read_bytes())
            event = recognise(raw).kind.value not in NO_EVENT
        self.appended[self.server.append(FOLDER, raw)] = event

    def disrupt(self, now: float) -> None:
        """One disruption: each kind once first (in a random order), then drawn at random."""
        kinds = ["restart", "kill-idle", "kill-sync", "freeze-idle"]
        if not self.first_round:
            self.first_round = self.rng.sample(kinds, len(kinds))
            self.first_round.append("")  # the end of the first round
        kind = self.first_round.pop(0) if self.first_round[0] else ""
        if not kind:
            kind = self.rng.choices(kinds, weights=[3, 3, 2, 1 if self.frozen is None else 0])[0]
        processes = self.server.imap_processes()
        if kind == "restart":
            self.thaw()
            self.server.restart()
        elif kind == "kill-idle":
            targets = [pid for pid, idle in processes if idle]
            self._kill(targets, signal.SIGKILL)
            kind += "" if targets else " (none in IDLE)"
        elif kind == "kill-sync":
            targets = [pid for pid, idle in processes if not idle]
            self._kill(targets, signal.SIGKILL)
            kind += "" if targets else " (no sync connection)"
        else:
            targets = [pid for pid, idle in processes if idle and pid != self.frozen]
            if targets:
                self.frozen = targets[0]
                self._kill([self.frozen], signal.SIGSTOP)
                self.thaw_at = now + self.rng.uniform(20, 60)
            else:
                kind += " (none in IDLE)"
        self.disruptions[kind] += 1

    def thaw(self) -> None:
        if self.frozen is not None:
            self._kill([self.frozen], signal.SIGCONT)
            self.frozen = None

    @staticmethod
    def _kill(pids: list[int], sig: signal.Signals) -> None:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.kill(pid, sig)


def recorded(db: Path, uids: dict[int, bool]) -> tuple[list[int], list[int]]:
    """(UIDs with no row in mails, UIDs whose expected event is missing)."""
    if not db.exists():
        return sorted(uids), sorted(u for u, e in uids.items() if e)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        rows = conn.execute(
            "SELECT m.uid, count(e.id) FROM mails m LEFT JOIN events e ON e.mail_id = m.id"
            " WHERE m.folder = ? GROUP BY m.uid",
            (FOLDER,),
        ).fetchall()
    seen = {int(uid): int(events) for uid, events in rows}
    missing = sorted(u for u in uids if u not in seen)
    no_event = sorted(u for u, e in uids.items() if e and seen.get(u, 0) == 0)
    return missing, no_event


def wait_for(condition, seconds: float, step: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def log_events(path: Path) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            found[str(json.loads(line).get("event"))] += 1
        except (ValueError, AttributeError):
            found["(not JSON)"] += 1
    return found


def summarise(samples: list[Sample], quiet: list[Sample]) -> dict[str, float]:
    warm = [s for s in samples if WARM_UP <= s.at < WARM_UP + 60] or samples[-3:]
    after = [s for s in samples if s.at >= WARM_UP] or samples
    base_rss = statistics.median(s.rss_kib for s in warm) / 1024
    base_fds = Counter(s.fds for s in warm).most_common(1)[0][0]
    final_rss = statistics.median(s.rss_kib for s in quiet) / 1024
    final_fds = statistics.median(s.fds for s in quiet)
    slope = 0.0
    if len(after) > 2 and after[-1].at > after[0].at:
        slope = statistics.linear_regression(
            [s.at for s in after], [s.rss_kib / 1024 for s in after]
        ).slope * 3600  # fmt: skip
    return {
        "rss_first_mib": samples[0].rss_kib / 1024,
        "rss_last_mib": quiet[-1].rss_kib / 1024,
        "rss_min_mib": min(s.rss_kib for s in samples) / 1024,
        "rss_max_mib": max(s.rss_kib for s in samples) / 1024,
        "rss_baseline_mib": base_rss,
        "rss_final_mib": final_rss,
        "rss_growth_mib": final_rss - base_rss,
        "rss_max_after_warmup_mib": max(s.rss_kib for s in after) / 1024,
        "rss_slope_mib_per_hour": slope,
        "fds_first": samples[0].fds,
        "fds_last": quiet[-1].fds,
        "fds_min": min(s.fds for s in samples),
        "fds_max": max(s.fds for s in samples),
        "fds_baseline": base_fds,
        "fds_final": final_fds,
        "threads_min": min(s.threads for s in samples),
        "threads_max": max(s.threads for s in samples),
        "threads_last": quiet[-1].threads,
    }


def main() -> int:  # noqa: PLR0912, PLR0915 - one soak, told in order
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--mean-gap", type=float, default=4.0, help="mean seconds between mails")
    parser.add_argument("--disrupt-every", type=float, default=60.0, help="mean seconds between")
    parser.add_argument("--sample-every", type=float, default=5.0)
    parser.add_argument("--poll-seconds", type=int, default=60, help="ALIWATCH_POLL_SECONDS")
    parser.add_argument("--rss-growth-mib", type=float, default=10.0)
    parser.add_argument("--fd-slack", type=int, default=2)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)  # noqa: S311 - reproducible timing, not secrets
    print(f"seed {seed} (again: --seed {seed} --minutes {args.minutes:g})", flush=True)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="aliwatch-soak-") as tmp:
        work = Path(tmp)
        server = SoakDovecot()
        server.start()
        server.recreate_folder(FOLDER)
        env = env_for(server, work, FOLDER) | {"ALIWATCH_POLL_SECONDS": str(args.poll_seconds)}
        db = Path(env["ALIWATCH_DB_PATH"])
        out_path, err_path = work / "daemon.stdout", work / "daemon.stderr"
        soak = Soak(server, rng, seed)
        with out_path.open("wb") as out, err_path.open("wb") as err:
            daemon = subprocess.Popen(
                [ALIWATCH, "run"], env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
            )
        try:
            if not wait_for(lambda: '"sync_done"' in err_path.read_text(), 60):
                raise SystemExit(f"no first sync within 60 s:\n{err_path.read_text()[-2000:]}")
            began = time.monotonic()
            end = began + args.minutes * 60
            samples: list[Sample] = []
            next_sample, next_mail = began, began + rng.expovariate(1 / args.mean_gap)
            next_disrupt = began + rng.uniform(20, 2 * args.disrupt_every)
            n = 0
            while (now := time.monotonic()) < end and daemon.poll() is None:
                if now >= next_sample:
                    if (s := sample(daemon.pid, now - began)) is not None:
                        samples.append(s)
                    next_sample += args.sample_every
                if now >= next_mail:
                    soak.append_one(n)
                    n += 1
                    next_mail = time.monotonic() + rng.expovariate(1 / args.mean_gap)
                if now >= next_disrupt:
                    soak.disrupt(now)
                    next_disrupt = time.monotonic() + rng.expovariate(1 / args.disrupt_every)
                if soak.frozen is not None and now >= soak.thaw_at:
                    soak.thaw()
                wake = min(next_sample, next_mail, next_disrupt, end)
                if soak.frozen is not None:
                    wake = min(wake, soak.thaw_at)
                time.sleep(max(0.0, wake - time.monotonic()))  # until the next scheduled event
            soak.thaw()
            if daemon.poll() is not None:
                problems.append(f"the daemon died during the soak (status {daemon.returncode})")
            # Every mail recorded: IDLE announces it, or the poll (IDLE paused) finds it.
            settle = args.poll_seconds + 120.0
            settled_at = time.monotonic()
            done = wait_for(lambda: recorded(db, soak.appended) == ([], []), settle, 0.5)
            settle_seconds = time.monotonic() - settled_at
            missing, no_event = recorded(db, soak.appended)
            if not done:
                problems.append(
                    f"{len(missing)} mails without a row in mails (UIDs {missing[:10]}), "
                    f"{len(no_event)} without their event (UIDs {no_event[:10]}) "
                    f"{settle:.0f} s after the last one"
                )
            quiet = []
            for _ in range(3):  # the daemon at rest: nothing left to sync
                time.sleep(args.sample_every)
                if (s := sample(daemon.pid, time.monotonic() - began)) is not None:
                    quiet.append(s)
            alive = daemon.poll() is None
            if not alive:
                problems.append(f"the daemon is not alive at the end (status {daemon.returncode})")
            stop_began = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            try:
                status = daemon.wait(timeout=10)
                stop_seconds = time.monotonic() - stop_began
                if status != 0:
                    problems.append(f"exit status {status} after SIGTERM")
            except subprocess.TimeoutExpired:
                stop_seconds = float("inf")
                problems.append("still running 10 s after SIGTERM")
        finally:
            soak.thaw()
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
            server.cleanup()
        events = log_events(err_path)
        stderr_text = err_path.read_text(encoding="utf-8", errors="replace")
        if "Traceback" in stderr_text:
            problems.append("a Traceback in the daemon's stderr: " + stderr_text[-1500:])
    if not samples or not quiet:
        problems.append("no samples of the daemon")
        figures: dict[str, float] = {}
    else:
        figures = summarise(samples, quiet)
    minutes = (samples[-1].at / 60) if samples else 0.0
    events_expected = sum(soak.appended.values())
    print(f"soaked {minutes:.1f} min; {len(samples)} samples every {args.sample_every:g} s")
    print(f"mails appended {len(soak.appended)} ({events_expected} with an event expected); "
          f"all recorded {settle_seconds:.1f} s after the last one")  # fmt: skip
    print(f"disruptions: {dict(soak.disruptions)}")
    print(
        "daemon log: "
        + ", ".join(
            f"{name} {events[name]}"
            for name in (
                "sync_done", "sync_failed", "idle_failed", "idle_replaced", "idle_paused",
                "sync_reply_unusable", "login_refused",
            )
        )
    )  # fmt: skip
    print(f"SIGTERM -> exit in {stop_seconds:.2f} s")
    if figures:
        f = figures
        print(f"RSS MiB: first {f['rss_first_mib']:.1f}, last {f['rss_last_mib']:.1f}, "
              f"min {f['rss_min_mib']:.1f}, max {f['rss_max_mib']:.1f}; after warm-up: "
              f"baseline {f['rss_baseline_mib']:.1f}, at rest at the end {f['rss_final_mib']:.1f} "
              f"(growth {f['rss_growth_mib']:+.1f}, bound {args.rss_growth_mib:g}), "
              f"max {f['rss_max_after_warmup_mib']:.1f}, "
              f"trend {f['rss_slope_mib_per_hour']:+.1f} MiB/h")  # fmt: skip
        print(f"fds: first {f['fds_first']}, last {f['fds_last']}, min {f['fds_min']}, "
              f"max {f['fds_max']}; baseline {f['fds_baseline']}, at rest at the end "
              f"{f['fds_final']:g} (bound ±{args.fd_slack})")  # fmt: skip
        print(f"threads: min {f['threads_min']}, max {f['threads_max']}, "
              f"last {f['threads_last']}")  # fmt: skip
        if f["rss_growth_mib"] >= args.rss_growth_mib:
            problems.append(f"RSS grew {f['rss_growth_mib']:.1f} MiB after warm-up")
        if abs(f["fds_final"] - f["fds_baseline"]) > args.fd_slack:
            problems.append(f"fds {f['fds_final']:g} at the end against {f['fds_baseline']}")
        print(json.dumps({k: round(v, 2) for k, v in figures.items()}))
    if problems:
        print(f"\nFAILED (seed {seed}):")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"\nOK (seed {seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`make fuzz`: hostile mail through `aliwatch run --once` on a private Dovecot.

At least 10,000 mails (seeded; the seed is printed) made from the fixtures and the demo mailbox
by tests/fuzz_mail.py: truncations, byte flips, broken boundaries, multiparts hundreds deep, huge
header lines, bad charsets and encoded words, NULs, 8-bit garbage, giant base64 parts, thousands
of order numbers, unclosed HTML; about half from an AliExpress sender or its Apple relay. They are
APPENDed in rounds (a refused one is counted and replaced), each round followed by `aliwatch run
--once`. Checked: every run ends within its bound, exits 0 and prints no Traceback; every mail
has one row in `mails`; every mail From an AliExpress sender is recognised, `unrecognized`, or
`failed` with a reason, never ignored (a promotion excepted: the daemon records those without an
event by design) and never missing. Then each probe (tests/fuzz_mail.py, `probes`) is run alone.

    .venv/bin/python benchmarks/fuzz_daemon.py [--mails 10000] [--seed N] [--rounds 4]

Exit status 1 on any violation, listing offending UIDs and the seed.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aliwatch.daemon.service.quiet import quiet_libraries
from tests.e2e.test_run_imap import env_for
from tests.fuzz_mail import (
    SMALL,
    Appended,
    Report,
    Scale,
    check,
    fuzz,
    probes,
    reason_class,
    run_once,
    run_problems,
)
from tests.servers.dovecot import Dovecot


def bound_for(mails: int) -> float:
    """A generous bound on one `run --once` over `mails` new mails: a minute plus 0.25 s a mail
    (the hostile mix parses at ~0.06 s a mail in one process; a clean mail at ~0.005 s)."""
    return 60.0 + 0.25 * mails


def show(counter: Counter[str], indent: str = "    ", limit: int = 25) -> None:
    for name, count in counter.most_common(limit):
        print(f"{indent}{count:6d}  {name}")
    if len(counter) > limit:
        print(f"{indent}   ...  {len(counter) - limit} more")


def print_report(report: Report, seconds_appending: float) -> None:
    v = report.verdict
    by_sender = Counter(a.sender or "other" for a in report.appended)
    mutated = Counter(m for a in report.appended for m in a.mutations)
    print(f"seed {report.seed}")
    print(f"mails generated {report.generated}, appended {len(report.appended)} "
          f"({sum(a.size for a in report.appended) / 2**20:.0f} MiB in {seconds_appending:.0f} s), "
          f"refused by the server {sum(report.refused.values())}")  # fmt: skip
    show(report.refused)
    print(f"From header: AliExpress {by_sender['aliexpress']}, Apple relay {by_sender['relay']}, "
          f"other or unreadable {by_sender['other']}")  # fmt: skip
    print("mutations applied (appended mails):")
    show(mutated)
    for label, run in report.runs:
        done = run.log_events("imap.sync.done")
        examined = sum(int(d.get("examined", 0)) for d in done)  # type: ignore[call-overload]
        state = "STUCK" if run.stuck else f"exit {run.returncode}"
        print(
            f"run --once {label}: {run.seconds:.1f} s, {state}, examined {examined}, "
            f"peak RSS {run.peak_rss_kib / 1024:.0f} MiB"
        )
    print(f"rows in mails: {v.rows}")
    print(f"AliExpress senders: recognised {sum(v.recognised.values())}, "
          f"unrecognized {v.unrecognized}, failed {sum(v.failed.values())}, "
          f"duplicate Message-ID {v.duplicate}, "
          f"promotion (ignored by design) {report.promotions}")  # fmt: skip
    print("  recognised by kind:")
    show(v.recognised)
    print("  failed by reason:")
    show(v.failed)
    print("other senders, by status:kind:")
    show(v.other_status)
    if v.other_failed:
        print("  other senders failed by reason:")
        show(v.other_failed)


# Each order number a mail names becomes an order with an alert of its own, recorded as sent
# in a transaction of its own (daemon/alerts/outbox.py): a probe that names many gets this much
# more time for each, so that it tells work that grows with the alerts from a stall.
SECONDS_PER_ORDER = 0.01
_ORDER_NUMBER = re.compile(rb"\b8\d{15}\b")


def run_probes(server: Dovecot, work: Path, bound: float) -> list[str]:
    """Each probe alone in a folder and store of its own; what went wrong."""
    problems = []
    print(
        f"probes (each alone, bound {bound:.0f} s and {SECONDS_PER_ORDER} s for each order number"
        " named; one mail takes about 1 s):"
    )
    for n, (name, mails) in enumerate(probes().items()):
        folder = f"probe{n}"
        server.recreate_folder(folder)
        db = work / f"probe{n}.db"
        appended = [
            Appended(server.append(folder, raw), n, "aliexpress", [name], len(raw)) for raw in mails
        ]
        named = sum(len(set(_ORDER_NUMBER.findall(raw))) for raw in mails)
        limit = bound + SECONDS_PER_ORDER * named
        run = run_once(env_for(server, work, folder) | {"ALIWATCH_DB_PATH": str(db)}, limit, work)
        found = run_problems(run, limit)
        found += [why for _, why in check(db, folder, appended).violations]
        state = "STUCK" if run.stuck else f"exit {run.returncode}"
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            orders, alerts = (
                conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("orders", "alerts")
            )
        sent = len(run.log_events("alert_sent"))
        print(
            f"  {name}: {run.seconds:.1f} s (bound {limit:.0f} s), {state}; {orders} orders, "
            f"{alerts} alerts stored, {sent} sent; " + ("; ".join(found) or "ok")
        )
        problems += [f"probe {name}: {p}" for p in found]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--small", action="store_true", help="the test suite's smaller mutations")
    parser.add_argument(
        "--probe-bound", type=float, default=60.0, help="seconds for one probe mail"
    )
    parser.add_argument("--no-probes", action="store_true")
    args = parser.parse_args()
    quiet_libraries()  # this process parses the mails too (diagnosis): no mail text on the screen
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    print(
        f"seed {seed} (again: --seed {seed} --mails {args.mails} --rounds {args.rounds})",
        flush=True,
    )
    scale = SMALL if args.small else Scale()
    with tempfile.TemporaryDirectory(prefix="aliwatch-fuzz-") as tmp, Dovecot() as server:
        work = Path(tmp)
        env = env_for(server, work, "fuzz")
        began = time.monotonic()
        report = fuzz(
            server, work, seed=seed, mails=args.mails, rounds=args.rounds, scale=scale,
            bound=bound_for, env=env,
        )  # fmt: skip
        appending = time.monotonic() - began - sum(r.seconds for _, r in report.runs)
        print_report(report, appending)
        problems = list(report.run_problems)
        if not args.no_probes:
            problems += run_probes(server, work, args.probe_bound)
    violations = report.verdict.violations
    if problems or violations:
        print(f"\nFAILED (seed {seed}): {len(problems)} run problems, {len(violations)} violations")
        for problem in problems[:10]:
            print(f"  {problem[:600]}")
        mutations = {a.uid: a.mutations for a in report.appended}
        kinds: dict[str, list[int]] = {}
        for uid, why in violations:
            kinds.setdefault(reason_class(why), []).append(uid)
        print("violations by kind (count, kind, a few UIDs with their mutations):")
        for why, uids in sorted(kinds.items(), key=lambda item: -len(item[1])):
            print(f"  {len(uids):5d}  {why}")
            for uid in uids[:3]:
                print(f"           UID {uid}: {'+'.join(mutations.get(uid, []))}")
        return 1
    print(f"\nOK (seed {seed}): no crash, no stuck run, every mail recorded as it should be")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

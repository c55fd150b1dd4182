"""`make faults`: the randomized fault harness (tests/e2e/faults/harness.py) over many seeds.

Each seed tells a story of AliExpress mail to `aliwatch run` on a private Dovecot and an aiosmtpd
server while faults hit it (SIGKILL, Dovecot restart, SMTP down, UIDVALIDITY change, expunge and
re-append, a full disk under the store), then checks events, alerts, deliveries, duplicates,
forged mail and crashes. One line per seed, a total, exit status 1 when any seed failed.

    .venv/bin/python benchmarks/faults.py                 # seeds 1..100
    .venv/bin/python benchmarks/faults.py --seeds 20 --first 500
    .venv/bin/python benchmarks/faults.py --seed 17 -v    # replay one seed, with its timeline
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.faults.harness import (
    EXTRA_FAULT_KINDS,
    FAULT_KINDS,
    FORGED_KINDS,
    Options,
    SeedResult,
    run_seed,
)


def _span(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def _kinds(text: str, known: tuple[str, ...]) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in kinds if k not in known]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(known)}")
    return kinds


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100, help="how many seeds (default 100)")
    parser.add_argument("--first", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--seed", type=int, action="append", help="run only this seed (repeatable)")
    parser.add_argument("--mails", type=_span, default=(15, 30), help="story size, e.g. 15-30")
    parser.add_argument("--faults", type=_span, default=(3, 6), help="faults per seed, e.g. 3-6")
    parser.add_argument(
        "--fault-kinds", type=lambda t: _kinds(t, FAULT_KINDS + EXTRA_FAULT_KINDS),
        default=FAULT_KINDS,
        help=f"comma-separated, of {','.join(FAULT_KINDS + EXTRA_FAULT_KINDS)}"
        f" (default: all but {','.join(EXTRA_FAULT_KINDS)})",
    )  # fmt: skip
    parser.add_argument(
        "--forged", type=lambda t: _kinds(t, FORGED_KINDS), default=FORGED_KINDS,
        help=f"forged variants to draw from, of {','.join(FORGED_KINDS)}",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep every work dir")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each seed's notes")
    return parser.parse_args()


def _report(result: SeedResult, verbose: bool) -> None:
    print(result.line(), flush=True)
    for failure in result.failures:
        print(f"    FAIL {failure}")
    if verbose or not result.ok:
        for note in result.notes[:10]:
            print(f"    note {note}")
    if result.workdir is not None:
        print(f"    logs, timeline and database: {result.workdir}")


def main() -> int:
    args = _arguments()
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's deprecation chatter
    seeds = args.seed or list(range(args.first, args.first + args.seeds))
    options = Options(
        mails=args.mails, faults=args.faults, fault_kinds=args.fault_kinds,
        forged_kinds=args.forged, keep=args.keep or args.verbose,
    )  # fmt: skip
    began = time.monotonic()
    results: list[SeedResult] = []
    faults: Counter[str] = Counter()
    for seed in seeds:
        if sys.stdout.isatty():
            print(f"seed {seed} ...", flush=True, end="\r")
        result = run_seed(seed, options)
        results.append(result)
        faults.update(result.faults)
        _report(result, args.verbose)
    elapsed = time.monotonic() - began
    failed = [r.seed for r in results if not r.ok]

    def total(name: str) -> int:
        return sum(getattr(r, name) for r in results)

    print(
        f"\nTOTAL seeds={len(results)} failed={len(failed)}"
        f" faults[{' '.join(f'{k}={faults[k]}' for k in FAULT_KINDS + EXTRA_FAULT_KINDS)}]"
        f" mails={total('mails')} events={total('events')}/{total('expected_events')}"
        f" alerts={total('alerts')} deliveries={total('deliveries_sent')}"
        f" smtp_copies={total('copies')} dup_explained={total('duplicates_explained')}"
        f" dup_unexplained={total('duplicates_unexplained')}"
        f" lost={total('lost_events') + total('lost_alerts')} crashed={total('crashed')}"
        f" wal_orphaned={total('wal_orphaned')}"
        f" forged_as_genuine={total('forged_as_genuine')}"
        f" time={elapsed:.0f}s ({elapsed / max(1, len(results)):.1f}s per seed)"
    )
    if failed:
        print(f"failed seeds: {' '.join(map(str, failed))}  (replay: --seed N -v)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Start-up: how long importing aliwatch's CLI takes, against the backfill floor's imports.

The backfill floor (bench_daemon.floor) imports mail-parser, ssl and imapclient and nothing else.
`aliwatch run` also needs the design's other libraries (pydantic-settings, structlog, schedule,
authres, sqlite3) and the recognition table; each step is timed in a fresh interpreter that
imports it and exits, interleaved round by round, median of the rounds. What these take is time
the backfill spends before it touches a mail, which the floor does not.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

FLOOR = "import mailparser, ssl; from imapclient import IMAPClient"
# structlog as aliwatch imports it (daemon/__init__.py): without rich and better-exceptions.
_STRUCTLOG = (
    "import sys; sys.modules['rich'] = None; sys.modules['better_exceptions'] = None; "
    "import structlog; "
)
LIBRARIES = FLOOR + "; " + _STRUCTLOG + "import pydantic_settings, schedule, authres, sqlite3"
STEPS = {
    "floor_imports": FLOOR,
    "libraries": LIBRARIES,
    "libraries_and_table": LIBRARIES + "; import aliwatch.parsers.recognise",
    "aliwatch_cli": "import aliwatch.daemon.cli",
}


def measure(rounds: int = 12) -> dict[str, float]:
    """Median seconds of a fresh interpreter importing each step's modules and exiting."""
    times: dict[str, list[float]] = {name: [] for name in STEPS}
    for _ in range(rounds):
        for name, code in STEPS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times[name].append(time.perf_counter() - start)
    return {name: round(statistics.median(values), 3) for name, values in times.items()}


def report(found: dict[str, float], floor_seconds: float | None = None) -> list[str]:
    """The lines `make bench` prints; with the backfill's floor, what start-up takes of the
    time the 1.5x target leaves beyond it."""
    lines = [
        f"start-up: importing aliwatch's CLI {found['aliwatch_cli']} s; the floor's imports "
        f"{found['floor_imports']} s; the design's libraries alone {found['libraries']} s, "
        f"with the recognition table {found['libraries_and_table']} s"
    ]
    if floor_seconds:
        allowance = 0.5 * floor_seconds
        needed = found["libraries_and_table"] - found["floor_imports"]
        lines.append(
            f"  the 1.5x target leaves {allowance:.2f} s beyond the backfill's floor; the "
            f"libraries and the table take {needed:.2f} s more than the floor's imports "
            f"({needed / allowance:.0%} of it), before a mail is touched"
        )
    return lines


if __name__ == "__main__":
    result = measure()
    print("\n".join(report(result)))
    print(json.dumps(result))

"""Messages per second for `aliwatch parse` and for mail-parser alone, on the same corpus.

The floor (mail-parser alone) is measured in the same run, interleaved with aliwatch, so the
ratio holds on a noisy shared machine. Target: aliwatch <= 1.5x mail-parser's time.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

import mailparser

from aliwatch.daemon.cli.parse import answer, print_json
from aliwatch.daemon.sources.inputs import iter_inputs
from aliwatch.parsers import AuthPolicy, clear_caches
from aliwatch.parsers.fold import fold
from aliwatch.parsers.matching import match
from aliwatch.parsers.message import own_message
from aliwatch.parsers.mime import Mail, read_mail

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [
    ROOT / "tests" / "fixtures",
    ROOT / "tests" / "fixtures_holdout",
    ROOT / "examples" / "mailbox",
]


def _mail_parser_alone(files: list[Path]) -> None:
    # The floor: read each file and have mail-parser parse it and hand over the fields
    # recognition needs (subject, sender, date, Message-ID, Authentication-Results, bodies).
    for path in files:
        parsed = mailparser.parse_from_bytes(path.read_bytes())
        _ = parsed.subject, parsed.from_, parsed.date, parsed.message_id
        _ = parsed.Authentication_Results, parsed.text_html, parsed.text_plain


def _aliwatch_parse(paths: list[str]) -> None:
    # What `aliwatch parse --json PATH...` does after start-up: read, recognise, print.
    policy = AuthPolicy()
    out = io.StringIO()
    print_json((answer(item, policy) for item in iter_inputs(paths, sys.stdin.buffer)), out)


def _matching_alone(read: list[Mail]) -> None:
    # The tolerant matcher's own work on each AliExpress mail, as recognition does it: fold the
    # subject, find the rows, fold the message (navigation and footer left out) only when a row
    # asks. Measured apart to show what it adds.
    for mail in read:
        lowered = mail.text.lower()
        match(fold(mail.subject), lambda lowered=lowered: fold(own_message(lowered)))


def measure(rounds: int = 15) -> dict[str, object]:
    """Interleaved rounds of mail-parser alone, `aliwatch parse` and the matcher; the medians."""
    paths = [str(p) for p in CORPUS if p.exists()]
    items = [i for i in iter_inputs(paths, sys.stdin.buffer) if i.data is not None]
    mails = [i.data for i in items if i.data is not None]
    files = [Path(i.name) for i in items if i.data is not None]
    if not mails:
        raise SystemExit("no mail in the corpus")
    read = [mail for mail in map(read_mail, mails) if "aliexpress" in (mail.from_address or "")]
    floor, ours, matching = [], [], []
    _mail_parser_alone(files)  # warm-up: imports, regex compilation
    _aliwatch_parse(paths)
    for _ in range(rounds):
        start = time.perf_counter()
        _mail_parser_alone(files)
        floor.append(time.perf_counter() - start)
        clear_caches()  # each round a cold pass: no verdict or row lookup remembered
        start = time.perf_counter()
        _aliwatch_parse(paths)
        ours.append(time.perf_counter() - start)
        clear_caches()
        start = time.perf_counter()
        _matching_alone(read)
        matching.append(time.perf_counter() - start)
    n = len(mails)
    base, mine = statistics.median(floor), statistics.median(ours)
    return {
        "messages": n,
        "rounds": rounds,
        "mail_parser_alone_msgs_per_s": round(n / base, 1),
        "aliwatch_parse_msgs_per_s": round(n / mine, 1),
        "time_ratio": round(mine / base, 3),
        "target_ratio": 1.5,
        "matching_share_of_floor": round(statistics.median(matching) / base, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    result = measure(args.rounds)
    ratio = float(result["time_ratio"])  # type: ignore[arg-type]
    print(f"corpus: {result['messages']} messages, {result['rounds']} interleaved rounds (median)")
    print(f"mail-parser alone : {result['mail_parser_alone_msgs_per_s']:>8} messages/s")
    print(f"aliwatch parse    : {result['aliwatch_parse_msgs_per_s']:>8} messages/s")
    verdict = "within" if ratio <= 1.5 else "OVER"
    print(f"time ratio        : {result['time_ratio']}x mail-parser ({verdict} the 1.5x target)")
    print(
        f"tolerant matching : {result['matching_share_of_floor']:.3f}x mail-parser's time "
        "(folding subject and message, finding the rows)"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`aliwatch parse`: recognise mail files and print one answer per mail."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO, TextIO

from aliwatch.daemon.sources.inputs import Input, iter_inputs
from aliwatch.parsers import AuthPolicy, MailParseError, recognise
from aliwatch.parsers.explain import explain

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_COLUMNS = ("KIND", "ORDERS", "PARCEL", "AMOUNT", "DEADLINE", "LANG", "FLAGS", "FILE")


def answer(item: Input, policy: AuthPolicy) -> dict[str, Any]:
    """The JSON answer for one input: the event's fields, or {"file", "error"}."""
    if item.data is None:
        return {"file": item.name, "error": item.error or "unreadable"}
    try:
        event = recognise(item.data, policy)
    except MailParseError as err:
        return {"file": item.name, "error": str(err)}
    return {**event.to_json(), "file": item.name}


def parse_paths(
    paths: Sequence[str],
    policy: AuthPolicy,
    stdin: BinaryIO,
    out: TextIO,
    err: TextIO,
    *,
    as_json: bool,
    explain: bool,
) -> int:
    """`aliwatch parse`: one answer per input on `out` (a path that gave no mail gets its
    reason on its row), exit status 1 when no path gave any mail."""
    usable = 0

    def counted(items: Iterator[Input]) -> Iterator[Input]:
        nonlocal usable
        for item in items:
            usable += item.fault is None
            yield item

    inputs = counted(iter_inputs(list(paths), stdin))
    if explain:
        answers = (explanation(item, policy) for item in inputs)
        printer = print_json if as_json else print_explanations
    else:
        answers = (answer(item, policy) for item in inputs)
        printer = print_json if as_json else print_table
    try:
        printer(answers, out)
    except BrokenPipeError:
        # `aliwatch parse ... | head` closed the pipe: not an error worth a traceback.
        err.close()
        return 0
    if usable == 0:
        err.write("aliwatch parse: no mail in what was given\n")
        return 1
    return 0


def _safe(value: object) -> str:
    # Terminal escape sequences in a hostile mail must not reach the user's terminal.
    return _UNPRINTABLE.sub("?", str(value))


def _row(data: dict[str, Any]) -> tuple[str, ...]:
    if "error" in data:
        return ("error", "", "", "", "", "", _safe(data["error"]), _safe(data["file"]))
    flags = [
        name
        for name, on in (
            ("authentic", data["authentic"]),
            ("forwarded", data["forwarded"]),
            ("ATTENTION", data["attention"]),
            ("partial", data["partial"]),
        )
        if on
    ]
    parcel = data["parcel_id"] or ""
    if data["stage"]:
        parcel = f"{parcel} ({data['stage']})"
    amount = f"{data['amount']} {data['currency']}" if data["amount"] else ""
    return tuple(
        _safe(v)
        for v in (
            data["kind"],
            ",".join(data["order_ids"]),
            parcel,
            amount,
            data["deadline"] or "",
            data["language"] or "",
            ",".join(flags),
            data["file"],
        )
    )


def print_json(answers: Iterable[dict[str, Any]], out: TextIO) -> None:
    """One JSON object per input per line, written as soon as it is known."""
    for data in answers:
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        out.flush()


def print_table(answers: Iterable[dict[str, Any]], out: TextIO) -> None:
    """A readable table; columns sized to their contents."""
    rows = [_COLUMNS, *(_row(a) for a in answers)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    for r in rows:
        out.write(
            "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() + "\n"
        )


def explanation(item: Input, policy: AuthPolicy) -> dict[str, Any]:
    """The `--explain` answer for one input: how it was read, or {"file", "error"}."""
    if item.data is None:
        return {"file": item.name, "error": item.error or "unreadable"}
    try:
        return {"file": item.name, **explain(item.data, policy)}
    except MailParseError as err:
        return {"file": item.name, "error": str(err)}


def _rows(title: str, rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return [f"  {title}: none"]
    lines = [f"  {title}:"]
    for row in rows:
        what = row["kind"] + (f" ({row['stage']})" if row["stage"] else "")
        words = f", {int(row['words_found'] * 100)}% of its words" if "words_found" in row else ""
        pattern = row["subject"] if row["subject"] is not None else " + ".join(row["body"])
        generic = ", generic" if row["generic"] else ""
        lines.append(f"    {row['row']} -> {what}{generic}{words}: {_safe(pattern)}")
    return lines


def print_explanations(answers: Iterable[dict[str, Any]], out: TextIO) -> None:
    """Each mail's identity marks, relay, matching and nearly matching rows, and the decision."""
    for data in answers:
        out.write(f"== {_safe(data['file'])}\n")
        if "error" in data:
            out.write(f"  error: {_safe(data['error'])}\n\n")
            continue
        identity, event = data["identity"], data["event"]
        verdict = "yes" if identity["aliexpress"] else "no"
        lines = [
            f"AliExpress mail: {verdict} (sender {identity['sender']}, {identity['sender_class']})",
            f"  relay undone: {identity['relay'] or 'none'}",
            f"  forwarded by hand from: {identity['forwarded_from'] or 'no'}",
            "  authentic (a trusted dkim=pass for AliExpress): "
            + ("yes" if event["authentic"] else "no"),
            "  marks: "
            + ("; ".join(f"{m['where']}={m['value']}" for m in identity["marks"]) or "none"),
            f"subject: {data['subject']}",
            f"  folded: {data['folded_subject']}",
            *_rows("subject rows that match", data["subject_rows"]),
        ]
        if data["closest_subject_rows"]:
            lines += _rows("closest subject rows", data["closest_subject_rows"])
        lines += [
            f"message (folded, navigation and footer left out): {len(data['folded_message'])} "
            "characters",
            *_rows("body rows that match", data["body_rows"]),
        ]
        if data["closest_body_rows"]:
            lines += _rows("closest body rows", data["closest_body_rows"])
        stage = f" ({event['stage']})" if event["stage"] else ""
        lines += [
            f"decision: {data['decision']}",
            f"  -> {event['kind']}{stage}; orders {','.join(event['order_ids']) or '-'}; "
            f"parcel {event['parcel_id'] or '-'}; language {event['language'] or '-'}"
            + (f"; deadline {event['deadline']}" if event["deadline"] else "")
            + (
                f" ({event['deadline_window_days']} days from the mail's date)"
                if event["deadline_window_days"]
                else ""
            )
            + ("; ATTENTION" if event["attention"] else ""),
        ]
        out.write("\n".join(_safe(line) for line in lines) + "\n\n")
        out.flush()

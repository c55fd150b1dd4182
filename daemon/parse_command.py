"""`aliwatch parse`: recognise mail files and print one answer per mail."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, TextIO

from daemon.sources import Input
from parsers import AuthPolicy, MailParseError, recognise

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

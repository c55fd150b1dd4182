"""`aliwatch unknown`: the AliExpress mail recognition could not read, to teach it new templates."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any, TextIO

from aliwatch.daemon.cli.commands import CommandError, existing_store
from aliwatch.daemon.config.durations import parse_duration
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.store import StoredMail
from aliwatch.parsers.event import amount_text
from aliwatch.parsers.fold import fold, subject_shape

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SUBJECT_WIDTH = 60


def parse_since(text: str, now: datetime) -> datetime:
    """--since as a date or time (2026-11-01, 2026-11-01T08:00Z) or a duration back (7d)."""
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(
            f"--since {text!r}: give a date (2026-11-01), a time (2026-11-01T08:00Z) "
            "or a duration back from now (7d, 12h)"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _safe(value: object) -> str:
    # A hostile subject must not reach the terminal as escape sequences.
    return _UNPRINTABLE.sub("?", str(value))


def _where(mail: StoredMail) -> dict[str, Any]:
    if mail.is_file:
        return {"account": mail.account, "folder": None, "uid": None, "file": mail.folder}
    return {"account": mail.account, "folder": mail.folder, "uid": mail.uid, "file": None}


def mail_json(mail: StoredMail) -> dict[str, Any]:
    """One unrecognised mail in `unknown --json` (a public contract: add fields, never rename)."""
    event = mail.event
    return {
        "date": mail.sent_at.isoformat().replace("+00:00", "Z"),
        "sender": event.sender,
        "subject": event.subject,
        "shape": subject_shape(event.subject or ""),
        "order_ids": list(event.order_ids),
        "parcel_id": event.parcel_id,
        "amount": None if event.amount is None else amount_text(event.amount),
        "currency": event.currency,
        "language": event.language,
        "attention": event.attention,
        "authentic": event.authentic,
        "message_id": event.message_id,
        **_where(mail),
    }


def shapes(mails: list[StoredMail]) -> list[tuple[str, int]]:
    """(shape, count) of the mails' subjects, most frequent first; case and punctuation aside."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for mail in mails:
        shape = subject_shape(mail.event.subject or "")
        key = fold(mail.event.subject or "")  # numbers as "#", case and punctuation gone
        counts[key] += 1
        shown.setdefault(key, shape)
    return [(shown[key], count) for key, count in counts.most_common()]


def _location(mail: StoredMail) -> str:
    return f"file {mail.folder}" if mail.is_file else f"{mail.folder} uid {mail.uid}"


def _next_step(mail: StoredMail) -> str:
    source = mail.folder if mail.is_file else f"--uid {mail.uid} --folder {mail.folder}"
    return f"aliwatch anonymize {source} -o new-template.eml"


def unknown(
    settings: Settings, now: datetime, out: TextIO, *, as_json: bool, since: str | None
) -> int:
    """List the unrecognised AliExpress mail, newest first, with a count per subject shape."""
    start = parse_since(since, now) if since else None
    with existing_store(settings) as store:
        mails = store.unrecognised(start)
    if as_json:
        data = {
            "mails": [mail_json(mail) for mail in mails],
            "shapes": [{"shape": shape, "count": count} for shape, count in shapes(mails)],
        }
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not mails:
        out.write("every AliExpress mail in the store was recognised\n")
        return 0
    noun = "mail" if len(mails) == 1 else "mails"
    out.write(f"{len(mails)} unrecognised AliExpress {noun}, newest first:\n")
    rows = [("DATE", "SENDER", "SUBJECT", "ORDERS", "FLAGS", "WHERE")]
    for mail in mails:
        event = mail.event
        subject = event.subject or ""
        if len(subject) > _SUBJECT_WIDTH:
            subject = subject[: _SUBJECT_WIDTH - 1] + "…"
        flags = ",".join(f for f, on in (("ATTENTION", event.attention),) if on)
        rows.append(
            (
                mail.sent_at.astimezone(settings.zone()).strftime("%Y-%m-%d %H:%M"),
                event.sender or "",
                subject,
                ",".join(event.order_ids) or "-",
                flags or "-",
                _location(mail),
            )
        )
    widths = [max(len(_safe(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (_safe(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        out.write("  ".join(cells).rstrip() + "\n")
    out.write("\nby subject shape:\n")
    for shape, count in shapes(mails):
        out.write(f"  {count:>4}  {_safe(shape)}\n")
    out.write(
        "\nTo teach aliwatch the newest one: "
        f"{_safe(_next_step(mails[0]))}\nthen follow CONTRIBUTING.md (fixture, row, make test).\n"
    )
    return 0

"""Why a mail was read the way it was: identity marks, relay undone, rows matched or nearly.

For `aliwatch parse --explain`: the person teaching aliwatch a new template sees which words the
rows look for and which of them the mail has. It quotes the mail, so it is printed to the user who
asked, never logged.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from aliwatch.parsers.fold import fold, fold_pattern
from aliwatch.parsers.identity import identify
from aliwatch.parsers.matching import BODY_ROWS, body_matches, subject_matches
from aliwatch.parsers.message import own_message
from aliwatch.parsers.mime import read_mail
from aliwatch.parsers.recognise import AuthPolicy, Trace, recognise_mail
from aliwatch.parsers.row import Row
from aliwatch.parsers.rows import TABLE

_CLOSEST = 3


_WORD = re.compile(r"[^\W\d_]{3,}")


def _closeness(pattern: str, folded: str) -> float:
    """The share of a pattern's words (three letters or more, any alternative) in folded text."""
    words = set(_WORD.findall(fold_pattern(pattern)))
    present = set(folded.split())
    return len(words & present) / len(words) if words else 0.0


def _row(row: Row) -> dict[str, Any]:
    return {
        "row": row.name,
        "kind": row.kind.value,
        "stage": row.stage,
        "subject": row.subject,
        "body": list(row.body),
        "generic": row.generic,
        "source": row.source,
    }


def _closest(rows: list[tuple[float, Row]]) -> list[dict[str, Any]]:
    ranked = sorted((pair for pair in rows if pair[0] > 0), key=lambda pair: -pair[0])
    return [{**_row(row), "words_found": round(score, 2)} for score, row in ranked[:_CLOSEST]]


def explain(raw: bytes, policy: AuthPolicy | None = None) -> dict[str, Any]:
    """The explanation of one mail as a JSON-ready mapping (see `aliwatch parse --explain`)."""
    mail = read_mail(raw)
    event, trace = recognise_mail(mail, policy)
    if trace.forwarded_from is None:  # every mark the mail carries, not only the deciding one
        html = mail.raw_html.lower()
        every = identify(
            mail.from_address, mail.from_display, mail.identity_headers, html, every_mark=True
        )
        trace = replace(trace, identity=every)
    return {"event": event.to_json(), **explain_trace(trace)}


def explain_trace(trace: Trace) -> dict[str, Any]:
    """Identity, subject and message matches, near misses and the decision of one trace."""
    identity = trace.identity
    folded_message = fold(own_message(trace.body_lowered))
    matched_subject = subject_matches(trace.folded_subject, folded_message)
    matched_body = body_matches(folded_message)
    near_subject = [
        (_closeness(row.subject, trace.folded_subject), row)
        for row in TABLE
        if row.subject is not None and row not in matched_subject
    ]
    near_body = [
        (_closeness(row.body[0], folded_message), row)
        for row in BODY_ROWS
        if row not in matched_body
    ]
    return {
        "identity": {
            "aliexpress": identity.is_aliexpress,
            "sender": identity.sender.address,
            "sender_class": identity.sender.cls.value,
            "relay": identity.relay,
            "forwarded_from": trace.forwarded_from,
            "marks": [{"where": m.where, "value": m.value} for m in identity.marks],
        },
        "subject": trace.subject,
        "folded_subject": trace.folded_subject,
        "folded_message": folded_message,
        "subject_rows": [_row(row) for row in matched_subject],
        "body_rows": [_row(row) for row in matched_body],
        "closest_subject_rows": [] if matched_subject else _closest(near_subject),
        "closest_body_rows": [] if matched_body else _closest(near_body),
        "decision": trace.reason,
    }

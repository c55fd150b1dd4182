"""An alert in words for each channel: a subject that names the action, plain text and HTML."""

from __future__ import annotations

import html
from datetime import datetime, tzinfo

from daemon.render import ORDER_PAGE, alert_lines, alert_text
from parsers.mime import clean_header
from rules.decide import Decision

# The action each rule asks for, for subjects and notification titles (issue #5: "Answer the
# seller's proposal by Thu 3 Dec 23:59 — order 8211968327930027").
ACTION: dict[str, str] = {
    "proposal_waiting": "Answer the seller's proposal",
    "protection_ending": "Act before buyer protection ends",
    "dispute_window": "Open a dispute if anything is wrong",
    "cancellation_undecided": "Check your cancellation request",
    "seller_silent": "Escalate the dispute if no refund came",
    "not_shipped": "Ask the seller when the order ships",
    "parcel_stalled": "Check the stalled parcel",
    "refund_missing": "Check the missing refund",
    "awaiting_confirmation": "Open a dispute before the order completes",
    "attention": "Read an unrecognised AliExpress mail",
    "pressure": "Do not close the dispute for a promise",
    "unverified": "Check the order page, not the mail",
    "login_refused": "Fix aliwatch's mailbox login",
    "reply_unusable": "aliwatch cannot read your mail server's answers",
    "stale": "aliwatch cannot check your mailbox",
    "recovered": "aliwatch checks your mailbox again",
    "digest": "Your AliExpress orders today",
    "drift": "AliExpress mail is no longer recognised",
    "test": "aliwatch test alert",
}
MAX_SUBJECT = 200


def one_line(text: str, limit: int = MAX_SUBJECT) -> str:
    """Text safe for a header or a title (CR, LF and other controls become spaces), cut short."""
    return clean_header(text)[:limit]


def short_time(when: datetime, zone: tzinfo) -> str:
    """'Thu 3 Dec 23:59': the deadline as a subject can hold it."""
    local = when.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def subject(decision: Decision, zone: tzinfo, now: datetime) -> str:
    """The action, the deadline and the order: what the buyer must do, by when, for what."""
    action = ACTION.get(decision.rule, decision.headline)
    by = ""
    if decision.due is not None:
        when = short_time(decision.due, zone)
        by = f" by {when}" if decision.due > now else f" (overdue since {when})"
    about = f" — order {decision.order_id}" if decision.order_id else ""
    mark = "" if decision.verified else " (unverified mail)"
    return one_line(f"{action}{by}{about}{mark}")


def text_body(decision: Decision, now: datetime, zone: tzinfo) -> str:
    """The plain-text alert (what the console prints), with a footer saying who sent it."""
    return (
        alert_text(decision, now, zone)
        + "\n\n-- \naliwatch, watching your AliExpress mail. Acknowledge with: "
        + (f"aliwatch ack {decision.order_id}" if decision.order_id else "aliwatch status")
        + "\n"
    )


def html_body(decision: Decision, now: datetime, zone: tzinfo) -> str:
    """The plain text's lines as HTML, each escaped (text may come from a mail); the order
    page as a link. pre-wrap keeps the digest's table lined up."""
    e = html.escape
    first, *rest = alert_lines(decision, now, zone)
    parts = [f"<h2>{e(first)}</h2>", *(f"<p>{e(line)}</p>" for line in rest)]
    if decision.order_id:
        url = ORDER_PAGE.format(decision.order_id)
        parts.append(f'<p><a href="{e(url)}">Open the order page</a></p>')
    body = "\n".join(parts)
    return f'<!DOCTYPE html>\n<html><body style="white-space: pre-wrap">\n{body}\n</body></html>\n'

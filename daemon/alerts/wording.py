"""An alert in words for each channel: a subject that names the action, plain text and HTML."""

from __future__ import annotations

import html
import re
from datetime import datetime, tzinfo

from daemon.render import ORDER_PAGE, alert_text, countdown, local_time
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
    "stale": "aliwatch cannot check your mailbox",
    "recovered": "aliwatch checks your mailbox again",
    "digest": "Your AliExpress orders today",
    "test": "aliwatch test alert",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
MAX_SUBJECT = 200


def one_line(text: str, limit: int = MAX_SUBJECT) -> str:
    """Text safe for a header or a title: control characters (CR, LF) become one space."""
    return _CONTROL.sub(" ", text).strip()[:limit]


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
    """The same alert as HTML; every piece of text is escaped (it may come from a mail)."""
    e = html.escape
    parts = [f"<h2>{e(decision.headline)}</h2>"]
    if decision.order_id:
        parts.append(f"<p>Order <b>{e(decision.order_id)}</b></p>")
    if decision.due is not None:
        parts.append(
            f"<p><b>Deadline:</b> {e(local_time(decision.due, zone))} "
            f"({e(countdown(decision.due, now))})</p>"
        )
    details = decision.details
    if "claims" in details:
        parts.append(f"<p>The mail claims: {e(details['claims'])}</p>")
    if "proposed" in details:
        paid = f" (you paid {e(details['paid'])})" if "paid" in details else ""
        parts.append(f"<p>Proposed refund: {e(details['proposed'])}{paid}</p>")
    parts.append(f"<p><b>What to do:</b> {e(decision.advice)}</p>")
    if decision.order_id:
        url = ORDER_PAGE.format(decision.order_id)
        parts.append(f'<p><a href="{e(url)}">Open the order page</a></p>')
    return "<!DOCTYPE html>\n<html><body>\n" + "\n".join(parts) + "\n</body></html>\n"

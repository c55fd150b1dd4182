"""An alert in words for each channel: a subject that names the action, plain text and HTML."""

from __future__ import annotations

import html
from datetime import datetime, tzinfo

from aliwatch.daemon.alerts.render import ORDER_PAGE, alert_lines, alert_text
from aliwatch.parsers.mime import clean_header
from aliwatch.rules.alerts import COPY, AlertKind
from aliwatch.rules.decide import Decision

MAX_SUBJECT = 200
# What to run about an alert that names no order (aliwatch's own, or mail it could not read);
# anything else about aliwatch itself is for `aliwatch check`.
_NO_ORDER_NEXT: dict[AlertKind, tuple[str, str]] = {
    AlertKind.DIGEST: ("Your orders", "aliwatch status"),
    AlertKind.RECOVERED: ("Your orders", "aliwatch status"),
    AlertKind.DRIFT: ("The mail it could not read", "aliwatch unknown"),
    AlertKind.ATTENTION: ("The mail it could not read", "aliwatch unknown"),
}
_CHECK = ("Check aliwatch's settings and mailbox", "aliwatch check")


def one_line(text: str, limit: int = MAX_SUBJECT) -> str:
    """Text safe for a header or a title (CR, LF and other controls become spaces), cut short."""
    return clean_header(text)[:limit]


def short_time(when: datetime, zone: tzinfo) -> str:
    """'Thu 3 Dec 23:59': the deadline as a subject can hold it."""
    local = when.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def subject(decision: Decision, zone: tzinfo, now: datetime) -> str:
    """The action, the deadline and the order: what the buyer must do, by when, for what.

    An alert raised by a mail that could not be verified says so first, and gives no deadline:
    the date is the mail's claim, and the buyer is sent to the order page, never to the mail.
    """
    about = f" — order {decision.order_id}" if decision.order_id else ""
    if decision.rule is AlertKind.UNVERIFIED:
        claim = decision.details.get("claims", decision.headline)
        said = claim[:1].lower() + claim[1:]
        if decision.claimed_rule == AlertKind.PRESSURE:
            return one_line(f"Likely phishing: an unverified mail says {said}{about}")
        if decision.claimed_rule == AlertKind.ATTENTION:
            return one_line(
                f"Unverified mail about a dispute, refund or return: check the order page{about}"
            )
        return one_line(f"Unverified mail claims {said}: check the order page{about}")
    if decision.rule is AlertKind.SUSPICIOUS:
        orders = decision.details.get("orders", "many")
        if decision.verified:
            return one_line(f"An AliExpress mail names {orders} orders: check them on the site")
        return one_line(f"Suspicious mail naming {orders} orders: do not act on it")
    action = COPY[decision.rule].action
    by = ""
    if decision.due is not None:
        when = short_time(decision.due, zone)
        by = f" by {when}" if decision.due > now else f" (overdue since {when})"
    mark = "" if decision.verified else " (unverified mail)"
    return one_line(f"{action}{by}{about}{mark}")


def next_steps(decision: Decision) -> list[tuple[str, str]]:
    """(what it does, the command): what the buyer can run where the alert is read."""
    order = decision.order_id
    if order:
        return [
            ("Done with it", f"aliwatch ack {order}"),
            ("Quiet for a day", f"aliwatch snooze {order} 1d"),
            ("All your orders", "aliwatch status"),
        ]
    return [_NO_ORDER_NEXT.get(decision.rule, _CHECK)]


def text_body(decision: Decision, now: datetime, zone: tzinfo) -> str:
    """The plain-text alert mail, with a footer: who sent it and the commands to answer it."""
    steps = next_steps(decision)
    width = max(len(what) for what, _ in steps) + 1
    footer = [f"{(what + ':').ljust(width)}  {command}" for what, command in steps]
    return (
        alert_text(decision, now, zone)
        + "\n\n-- \naliwatch, watching your AliExpress mail.\n"
        + "\n".join(footer)
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
    steps = "".join(
        f"<br>{e(what)}: <code>{e(command)}</code>" for what, command in next_steps(decision)
    )
    parts.append(f"<hr>\n<p>aliwatch, watching your AliExpress mail.{steps}</p>")
    body = "\n".join(parts)
    return f'<!DOCTYPE html>\n<html><body style="white-space: pre-wrap">\n{body}\n</body></html>\n'

"""Turning orders, deadlines and decisions into text for people (tables, alert bodies)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from aliwatch.daemon.store.codec import stated_time
from aliwatch.rules.deadlines import Deadline
from aliwatch.rules.decide import Decision
from aliwatch.rules.phase import phase
from aliwatch.rules.state import OrderState
from aliwatch.rules.urgency import URGENT_WITHIN

ORDER_PAGE = "https://www.aliexpress.com/p/order/detail.html?orderId={}"
_RED, _YELLOW, _RESET = "\x1b[31m", "\x1b[33m", "\x1b[0m"


def local_time(when: datetime, zone: tzinfo) -> str:
    """An absolute local time a person can act on: 'Thu 3 Dec 2026 23:59 PST'."""
    local = when.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} {local.tzname() or ''}".rstrip()


def countdown(when: datetime, now: datetime) -> str:
    """'in 6 d 4 h', 'in 45 min', '2 d ago'."""
    delta = when - now
    past = delta < timedelta()
    delta = abs(delta)
    days, rest = divmod(int(delta.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} d {hours} h" if hours else f"{days} d"
    elif hours:
        text = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    else:
        text = f"{minutes} min"
    return f"{text} ago" if past else f"in {text}"


def alert_lines(decision: Decision, now: datetime, zone: tzinfo) -> list[str]:
    """What happened, the deadline, what to do: the lines every channel words an alert with."""
    about = f" — order {decision.order_id}" if decision.order_id else ""
    lines = [f"{decision.headline}{about}"]
    if decision.due is not None:
        due = decision.due
        # A date from a mail that could not be verified is only what that mail claims.
        label = "Deadline" if decision.verified else "Deadline the mail claims"
        lines.append(f"{label}: {local_time(due, zone)} ({countdown(due, now)})")
    details = decision.details
    if "mail_subject" in details:
        sent = details.get("mail_sent")
        when = f", sent {local_time(datetime.fromisoformat(sent), zone)}" if sent else ""
        lines.append(f'The mail: "{details["mail_subject"]}"{when}')
    if "claims" in details:
        lines.append(f"The mail claims: {details['claims']}")
    claimed = stated_time(details.get("claimed_deadline"))
    if claimed is not None:
        lines.append(f"The mail claims a deadline of {local_time(claimed, zone)}")
    if "orders" in details:
        lines.append(f"The mail names {details['orders']} orders")
    if "proposed" in details:
        paid = f" (you paid {details['paid']})" if "paid" in details else ""
        lines.append(f"Proposed refund: {details['proposed']}{paid}")
    lines.append(f"What to do: {decision.advice}")
    return lines


def alert_text(decision: Decision, now: datetime, zone: tzinfo) -> str:
    """The plain-text body of one alert: its lines, then the link to the order page."""
    lines = alert_lines(decision, now, zone)
    if decision.order_id:
        lines.append(f"Order page: {ORDER_PAGE.format(decision.order_id)}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class OrderMarks:
    """The user's marks in force on an order, as `status` shows them ("*": every rule acked)."""

    acked: Mapping[str, datetime] = field(default_factory=dict)
    snoozed_until: datetime | None = None
    watched: bool = False

    def __bool__(self) -> bool:
        return bool(self.acked) or self.snoozed_until is not None or self.watched


def marks_json(marks: OrderMarks) -> dict[str, Any]:
    """The `marks` of an order in `status --json` (a public contract: add fields, never rename)."""
    return {
        "acked": [{"rule": rule, "since": _iso(at)} for rule, at in sorted(marks.acked.items())],
        "snoozed_until": _iso(marks.snoozed_until),
        "watched": marks.watched,
    }


def marks_text(marks: OrderMarks, zone: tzinfo) -> str:
    """'acked proposal_waiting since Thu 26 Nov 2026 04:00 PST; snoozed until ...; watched'."""
    parts = [
        f"acked {'every rule' if rule == '*' else rule} since {local_time(at, zone)}"
        for rule, at in sorted(marks.acked.items())
    ]
    if marks.snoozed_until is not None:
        parts.append(f"snoozed until {local_time(marks.snoozed_until, zone)}")
    if marks.watched:
        parts.append("watched")
    return "; ".join(parts)


def order_json(
    state: OrderState, found: Sequence[Deadline], marks: OrderMarks | None = None
) -> dict[str, Any]:
    """The `status --json` view of one order (a public contract: add fields, never rename)."""
    return {
        "order_id": state.order_id,
        "phase": phase(state).value,
        "parcels": [
            {
                "parcel_id": p.parcel_id,
                "stage": p.stage,
                "last_update": _iso(p.last_update),
                "delivered_at": _iso(p.delivered_at),
            }
            for p in sorted(state.parcels.values(), key=lambda p: p.parcel_id)
        ],
        "paid": " ".join(state.paid_amount) if state.paid_amount else None,
        "proposed": " ".join(state.proposed_amount) if state.proposed_amount else None,
        "deadlines": [
            {"rule": d.rule.value, "due": _iso(d.due), "stated": d.stated, "subject": d.subject}
            for d in found
        ],
        "next_deadline": _iso(found[0].due) if found else None,
        "unverified_mails": len(state.unverified),
        "marks": marks_json(marks or OrderMarks()),
    }


def _iso(when: datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


def _paint(left: timedelta | None) -> str:
    if left is None:
        return ""
    if left < URGENT_WITHIN:  # the alert's urgency (rules/urgency.py), in the table's colour
        return _RED
    return _YELLOW if left < timedelta(days=3) else ""


def status_table(
    rows: Sequence[tuple[OrderState, Sequence[Deadline]]],
    now: datetime,
    zone: tzinfo,
    *,
    colour: bool,
    marks: Mapping[str, OrderMarks] | None = None,
) -> str:
    """One line per order: phase, parcels, next deadline with countdown; red under 24 h; an
    order the user marked has a second line saying how (`marks`, by order number)."""
    header = ("ORDER", "PHASE", "PARCELS", "NEXT DEADLINE", "WHEN", "RULE")
    lines = [header]
    urgency: list[str] = [""]
    notes: list[str] = [""]
    for state, found in rows:
        parcels = list(state.parcels.values())
        delivered = sum(1 for p in parcels if p.delivered_at)
        parcel_text = f"{delivered}/{len(parcels)} delivered" if parcels else "-"
        nxt = found[0] if found else None
        lines.append(
            (
                state.order_id,
                phase(state).value,
                parcel_text,
                local_time(nxt.due, zone) if nxt else "-",
                countdown(nxt.due, now) if nxt else "-",
                nxt.rule.value if nxt else "-",
            )
        )
        left = nxt.due - now if nxt else None
        urgency.append(_paint(left))
        marked = (marks or {}).get(state.order_id)
        notes.append(marks_text(marked, zone) if marked else "")
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    indent = " " * (widths[0] + 2)  # under PHASE, clear of the order numbers
    out = []
    for line, paint, note in zip(lines, urgency, notes, strict=True):
        text = "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        out.append(f"{paint}{text}{_RESET}" if colour and paint else text)
        if note:
            out.append(indent + note)
    return "\n".join(out)

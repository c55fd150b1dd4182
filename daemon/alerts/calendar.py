"""Deadlines as an RFC 5545 calendar (`aliwatch calendar`), one event with alarms per deadline."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event
from icalendar.enums import TRANSP

from aliwatch.daemon.alerts.render import ORDER_PAGE
from aliwatch.rules.alerts import COPY, DEADLINE_RULES, AlertKind
from aliwatch.rules.deadlines import Deadline

PRODID = "-//aliwatch//aliwatch//EN"
CALENDAR_NAME = "aliwatch deadlines"
EVENT_LENGTH = timedelta(minutes=30)

# Only ids reach the calendar from mail (order numbers are digits, parcel numbers alphanumerics);
# anything else means a caller passed mail text, which must not be exported.
_ORDER_ID = re.compile(r"[0-9]+", re.ASCII)
_SUBJECT = re.compile(r"[A-Za-z0-9]*", re.ASCII)

# Titles and texts come from the one vocabulary (rules/alerts.py COPY): the action a subject
# names and the advice every channel gives; `build_calendar(advice=...)` may replace the advice
# per rule.
_ALARMS: dict[AlertKind, tuple[timedelta, ...]] = {
    AlertKind.PROPOSAL: (timedelta(hours=24), timedelta(hours=6))
}
_DEFAULT_ALARMS = (timedelta(hours=24),)


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {moment!r}")
    return moment.astimezone(UTC)


def event_uid(order_id: str, deadline: Deadline) -> str:
    """One UID per (rule, order, parcel): re-importing after a deadline moved (a new proposal,
    an extended protection) updates the event instead of leaving the old date beside the new
    (RFC 5545 section 3.8.4.7: the UID names the event, DTSTAMP says which version is newer)."""
    key = "\x1f".join((deadline.rule.value, order_id, deadline.subject))
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@aliwatch"


def _event(
    order_id: str, deadline: Deadline, now: datetime, advice: Mapping[AlertKind, str]
) -> Event:
    if not _ORDER_ID.fullmatch(order_id):
        raise ValueError(f"order id must be digits: {order_id!r}")
    if not _SUBJECT.fullmatch(deadline.subject):
        raise ValueError(f"deadline subject must be alphanumeric: {deadline.subject!r}")
    due = _utc(deadline.due, "due")
    about = f"order {order_id}" + (f", parcel {deadline.subject}" if deadline.subject else "")
    summary = f"{COPY[deadline.rule].action} — {about}"
    link = ORDER_PAGE.format(order_id)
    source = "stated in an AliExpress mail" if deadline.stated else "estimated by aliwatch"
    description = f"{advice[deadline.rule]}\n\nDate {source}.\nOrder page: {link}"
    alarms = [
        Alarm.new_display(description=f"{summary} (due in {_hours(lead)} h)", trigger=-lead)
        for lead in _ALARMS.get(deadline.rule, _DEFAULT_ALARMS)
    ]
    return Event.new(
        uid=event_uid(order_id, deadline),
        stamp=now,
        start=due,
        end=due + EVENT_LENGTH,
        summary=summary,
        description=description,
        url=link,
        transparency=TRANSP.TRANSPARENT,  # a reminder, not a meeting: leave free/busy alone
        subcomponents=alarms,
    )


def _hours(lead: timedelta) -> int:
    return int(lead.total_seconds() // 3600)


def build_calendar(
    items: Iterable[tuple[str, Deadline]],
    now: datetime,
    *,
    advice: Mapping[AlertKind, str] | None = None,
) -> bytes:
    """The ICS bytes for (order id, deadline) pairs; `now` is the DTSTAMP, `advice` per rule."""
    stamp = _utc(now, "now")
    texts = {**{rule: COPY[rule].advice for rule in DEADLINE_RULES}, **(advice or {})}
    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    calendar.calscale = "GREGORIAN"
    calendar.calendar_name = CALENDAR_NAME
    for order_id, deadline in items:
        calendar.add_component(_event(order_id, deadline, stamp, texts))
    data: bytes = calendar.to_ical()  # unannotated in icalendar 7.3
    return data

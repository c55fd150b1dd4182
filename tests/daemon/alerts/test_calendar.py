"""The ICS export: deadlines from folded mail, built and parsed back with the icalendar library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from icalendar import Calendar

from aliwatch.daemon.alerts.calendar import build_calendar
from aliwatch.parsers.event import Event, Kind
from aliwatch.rules.alerts import AlertKind
from aliwatch.rules.deadlines import Deadline, deadlines
from aliwatch.rules.policy import Policy
from aliwatch.rules.state import fold

T0 = datetime(2026, 10, 1, 12, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
PROPOSAL_ORDER = "8200000000000303"
TRANSIT_ORDER = "8200000000000404"
CANCEL_ORDER = "8200000000000505"


def ev(order: str, kind: Kind, day: int, **fields: Any) -> tuple[Event, datetime]:
    msg = f"<{order}-{kind.value}-{day}@notice.aliexpress.com>"
    event = Event(kind, order_ids=(order,), authentic=True, message_id=msg, **fields)
    return event, T0 + timedelta(days=day)


MAILS = {
    PROPOSAL_ORDER: [
        ev(PROPOSAL_ORDER, Kind.ORDER_SHIPPED, 3),
        ev(PROPOSAL_ORDER, Kind.DISPUTE_OPENED, 40),
        ev(
            PROPOSAL_ORDER,
            Kind.SELLER_PROPOSAL,
            45,
            deadline=datetime(2026, 12, 4, 7, 59, tzinfo=UTC),
        ),
    ],
    TRANSIT_ORDER: [
        ev(TRANSIT_ORDER, Kind.ORDER_SHIPPED, 3, parcel_id="LP00123456789CN"),
        ev(TRANSIT_ORDER, Kind.PARCEL_UPDATE, 9, parcel_id="LP00123456789CN", stage="customs"),
    ],
    CANCEL_ORDER: [
        ev(CANCEL_ORDER, Kind.ORDER_CONFIRMED, 1),
        ev(CANCEL_ORDER, Kind.CANCELLATION_REQUESTED, 2),
    ],
}

ITEMS = [
    (order, deadline)
    for order, mails in MAILS.items()
    for deadline in deadlines(fold(order, mails), Policy())
]


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def test_the_fixture_covers_several_rules_and_a_parcel() -> None:
    rules = {d.rule for _, d in ITEMS}
    assert {AlertKind.PROPOSAL, AlertKind.STALLED, AlertKind.CANCEL_DECISION} <= rules
    assert any(d.subject for _, d in ITEMS)


def test_one_vevent_per_deadline() -> None:
    assert len(parse(build_calendar(ITEMS, NOW)).events) == len(ITEMS)


def test_each_dtstart_is_the_due_time_in_utc() -> None:
    events = parse(build_calendar(ITEMS, NOW)).events
    for event, (_, deadline) in zip(events, ITEMS, strict=True):
        start = event.DTSTART
        assert start == deadline.due
        assert start.tzinfo is not None
        assert start.utcoffset() == timedelta(0)


def test_a_non_utc_due_is_written_as_the_same_instant_in_utc() -> None:
    due = datetime(2026, 12, 4, 9, 59, tzinfo=timezone(timedelta(hours=2)))
    data = build_calendar([(PROPOSAL_ORDER, Deadline(AlertKind.PROPOSAL, due))], NOW)
    assert b"DTSTART:20261204T075900Z\r\n" in data


def test_each_event_has_a_display_alarm_before_the_due_time() -> None:
    for event in parse(build_calendar(ITEMS, NOW)).events:
        alarms = event.walk("VALARM")
        assert alarms
        for alarm in alarms:
            assert alarm["ACTION"] == "DISPLAY"
            trigger = alarm.TRIGGER
            assert isinstance(trigger, timedelta)
            assert trigger < timedelta(0)
            assert alarm["DESCRIPTION"]


def test_a_proposal_gets_alarms_24_and_6_hours_before() -> None:
    due = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    event = parse(
        build_calendar([(PROPOSAL_ORDER, Deadline(AlertKind.PROPOSAL, due))], NOW)
    ).events[0]
    fire = sorted(t.trigger for t in event.alarms.times)
    assert fire == [due - timedelta(hours=24), due - timedelta(hours=6)]


def test_uids_are_unique() -> None:
    uids = [str(e["UID"]) for e in parse(build_calendar(ITEMS, NOW)).events]
    assert len(set(uids)) == len(ITEMS)
    assert all(uid.endswith("@aliwatch") for uid in uids)


def test_uids_are_stable_across_builds_at_different_times() -> None:
    first = parse(build_calendar(ITEMS, NOW)).events
    later = parse(build_calendar(ITEMS, NOW + timedelta(days=3))).events
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in later]


def test_a_moved_deadline_keeps_its_uid_so_a_reimport_updates_it() -> None:
    due = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    before = parse(
        build_calendar([(PROPOSAL_ORDER, Deadline(AlertKind.PROPOSAL, due))], NOW)
    ).events
    moved = Deadline(AlertKind.PROPOSAL, due + timedelta(days=1))
    after = parse(build_calendar([(PROPOSAL_ORDER, moved)], NOW + timedelta(hours=1))).events
    assert before[0]["UID"] == after[0]["UID"]
    assert after[0].DTSTAMP > before[0].DTSTAMP


def test_different_parcels_of_one_order_get_different_uids() -> None:
    due = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    items = [
        (PROPOSAL_ORDER, Deadline(AlertKind.STALLED, due, subject="LP1")),
        (PROPOSAL_ORDER, Deadline(AlertKind.STALLED, due, subject="LP2")),
    ]
    events = parse(build_calendar(items, NOW)).events
    assert events[0]["UID"] != events[1]["UID"]


def test_dtstamp_is_the_given_now() -> None:
    for event in parse(build_calendar(ITEMS, NOW)).events:
        assert event.DTSTAMP == NOW


def test_summary_names_the_action_and_the_order() -> None:
    due = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    event = parse(
        build_calendar([(PROPOSAL_ORDER, Deadline(AlertKind.PROPOSAL, due))], NOW)
    ).events[0]
    assert event["SUMMARY"] == f"Answer the seller's proposal — order {PROPOSAL_ORDER}"


def test_a_parcel_deadline_names_the_parcel() -> None:
    stalled = [(o, d) for o, d in ITEMS if d.rule is AlertKind.STALLED]
    event = parse(build_calendar(stalled, NOW)).events[0]
    assert "parcel LP00123456789CN" in event["SUMMARY"]


def test_url_and_description_link_the_order_page() -> None:
    link = f"https://www.aliexpress.com/p/order/detail.html?orderId={PROPOSAL_ORDER}"
    due = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    event = parse(
        build_calendar([(PROPOSAL_ORDER, Deadline(AlertKind.PROPOSAL, due))], NOW)
    ).events[0]
    assert event["URL"] == link
    assert link in event["DESCRIPTION"]


def test_given_advice_replaces_the_default_and_survives_escaping() -> None:
    advice = "Reject it; then, if asked: escalate\\appeal."
    due = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    data = build_calendar(
        [(PROPOSAL_ORDER, Deadline(AlertKind.PROPOSAL, due))],
        NOW,
        advice={AlertKind.PROPOSAL: advice},
    )
    assert str(parse(data).events[0]["DESCRIPTION"]).startswith(advice + "\n")


def test_calendar_headers() -> None:
    calendar = parse(build_calendar(ITEMS, NOW))
    assert calendar["PRODID"] == "-//aliwatch//aliwatch//EN"
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["X-WR-CALNAME"] == "aliwatch deadlines"


def test_the_library_finds_nothing_to_complain_about() -> None:
    calendar = parse(build_calendar(ITEMS, NOW))
    calendar.validate()  # PRODID, VERSION and at least one component
    assert [c.errors for c in calendar.walk() if c.errors] == []


def test_lines_are_crlf_terminated_and_folded_at_75_octets() -> None:
    data = build_calendar(ITEMS, NOW)
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert any(line.startswith(b" ") for line in lines)  # long DESCRIPTIONs were folded
    assert max(len(line) for line in lines) <= 75


def test_no_deadlines_give_a_valid_calendar_without_events() -> None:
    calendar = parse(build_calendar([], NOW))
    assert calendar.events == []
    assert calendar["PRODID"] == "-//aliwatch//aliwatch//EN"
    assert calendar["VERSION"] == "2.0"


@pytest.mark.parametrize("naive", ["now", "due"])
def test_naive_datetimes_are_refused(naive: str) -> None:
    due = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    deadline = Deadline(AlertKind.PROPOSAL, due.replace(tzinfo=None) if naive == "due" else due)
    now = NOW.replace(tzinfo=None) if naive == "now" else NOW
    with pytest.raises(ValueError, match="timezone-aware"):
        build_calendar([(PROPOSAL_ORDER, deadline)], now)


def test_an_order_id_that_is_not_digits_is_refused() -> None:
    due = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    with pytest.raises(ValueError, match="order id"):
        build_calendar([("Your refund\r\nBEGIN:VEVENT", Deadline(AlertKind.PROPOSAL, due))], NOW)


def test_a_subject_that_is_not_an_id_is_refused() -> None:
    due = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
    deadline = Deadline(AlertKind.STALLED, due, subject="close the dispute first")
    with pytest.raises(ValueError, match="subject"):
        build_calendar([(PROPOSAL_ORDER, deadline)], NOW)

"""One alert per thing: a deadline first seen late gets one alert, later leads when they come."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aliwatch.parsers.event import Kind as K
from aliwatch.rules.decide import Decision, Marks, decide, group_of, once_per_deadline
from aliwatch.rules.policy import Policy
from aliwatch.rules.state import fold
from tests.rules.test_state import ORDER, T0, ev

POLICY = Policy()
NO_MARKS = Marks()


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


def first_pass(events, now: datetime) -> list[Decision]:
    return once_per_deadline(decide(fold(ORDER, events), now, POLICY, NO_MARKS), {}, now)


def proposal_due_in(left: timedelta) -> tuple[list, datetime]:
    due = at(50)
    events = [
        ev(K.DISPUTE_OPENED, 40),
        ev(K.SELLER_PROPOSAL, 45, deadline=due),
    ]
    return events, due - left


def test_a_proposal_announced_just_before_a_lead_time_gets_no_reminder_a_minute_later():
    events, first = proposal_due_in(timedelta(days=1, minutes=1))
    (announced,) = first_pass(events, first)
    later = first + timedelta(minutes=2)
    again = [
        d for d in decide(fold(ORDER, events), later, POLICY, NO_MARKS) if d.key != announced.key
    ]
    assert [d.lead for d in again] == [timedelta(days=1)]  # its time has come, but
    assert once_per_deadline(again, {group_of(announced): first}, later) == []
    # The 6-hour reminder still comes at its time.
    six = first + timedelta(hours=18, minutes=2)
    due = [d for d in decide(fold(ORDER, events), six, POLICY, NO_MARKS) if d.lead]
    assert [d.lead for d in once_per_deadline(due, {group_of(announced): first}, six)] == [
        timedelta(hours=6)
    ]


def test_a_proposal_first_seen_ten_hours_before_its_deadline_gives_one_alert():
    events, now = proposal_due_in(timedelta(hours=10))
    everything = decide(fold(ORDER, events), now, POLICY, NO_MARKS)
    # The rules see the announcement and the 1-day reminder; the buyer gets one of them.
    assert sorted(d.key.split(":")[2] or "lead" for d in everything) == ["lead", "new"]
    (alert,) = first_pass(events, now)
    assert ":new:" in alert.key
    assert alert.urgent


def test_a_proposal_first_seen_five_days_before_gets_its_later_leads_when_they_come():
    events, now = proposal_due_in(timedelta(days=5))
    due = now + timedelta(days=5)
    alerted: dict = {}
    sent = []
    keys: set[str] = set()
    moments = [now, now + timedelta(hours=1)]
    moments += [due - timedelta(days=3), due - timedelta(hours=20), due - timedelta(hours=5)]
    for moment in moments:
        found = decide(fold(ORDER, events), moment, POLICY, NO_MARKS)
        new = [d for d in found if d.key not in keys]
        for decision in once_per_deadline(new, alerted, moment):
            keys.add(decision.key)
            alerted[group_of(decision)] = moment
            sent.append((moment, decision.lead))
    assert sent == [
        (now, None),
        (due - timedelta(days=3), timedelta(days=3)),
        (due - timedelta(hours=20), timedelta(days=1)),
        (due - timedelta(hours=5), timedelta(hours=6)),
    ]


def test_a_proposal_without_a_date_first_seen_days_late_is_announced_once():
    events = [ev(K.DISPUTE_OPENED, 40), ev(K.SELLER_PROPOSAL, 42)]
    now = at(45.3)  # the daily reminder of day 3 is due too
    (alert,) = first_pass(events, now)
    assert ":new:" in alert.key
    # The next day's reminder still comes.
    later = [
        d for d in decide(fold(ORDER, events), at(46.1), POLICY, NO_MARKS) if d.key != alert.key
    ]
    kept = once_per_deadline(later, {group_of(alert): now}, at(46.1))
    daily = f"proposal_waiting:{ORDER}:daily:{at(42).isoformat()}:4"
    assert [d.key for d in kept if ":daily:" in d.key] == [daily]


# A history of dispute mails, each read some time after it was sent, and passes at any times.
DAYS = st.floats(0, 60, allow_nan=False)
mail = st.tuples(
    st.sampled_from(
        [
            K.ORDER_SHIPPED,
            K.DISPUTE_OPENED,
            K.SELLER_PROPOSAL,
            K.RETURN_REQUIRED,
            K.DISPUTE_ESCALATED,
            K.DISPUTE_CLOSED,
            K.AWAITING_CONFIRMATION,
        ]
    ),
    DAYS,  # sent
    st.floats(0, 20, allow_nan=False),  # read this many days later
    st.sampled_from([None, 1, 4, 9, 30]),  # a stated deadline, days after sending
    st.booleans(),  # authentic
)


@settings(max_examples=300, deadline=None)
@given(st.lists(mail, max_size=8), st.lists(DAYS, min_size=1, max_size=25))
def test_no_two_alerts_about_one_deadline_within_one_lead_interval(mails, pass_days):
    events = []
    for i, (kind, sent, delay, stated, authentic) in enumerate(mails):
        deadline = None if stated is None else at(sent + stated)
        event, _ = ev(kind, 0, deadline=deadline, authentic=authentic, message_id=f"<{i}@x>")
        events.append(((event, at(sent)), at(sent + delay)))
    alerted: dict = {}
    keys: set[str] = set()
    history: dict = {}  # group -> [(time, decision)]
    for day in sorted(pass_days):
        now = at(day)
        seen = [pair for pair, read in events if read <= now]
        new = [d for d in decide(fold(ORDER, seen), now, POLICY, NO_MARKS) if d.key not in keys]
        kept = once_per_deadline(new, alerted, now)
        assert len({d.key for d in kept}) == len(kept)
        for decision in kept:
            keys.add(decision.key)
            alerted[group_of(decision)] = now
            history.setdefault(group_of(decision), []).append((now, decision))
        # Nothing decided is lost: what was dropped had just been said (within its spacing).
        for decision in new:
            assert group_of(decision) in alerted
            if decision not in kept:
                assert decision.point is not None
                assert alerted[group_of(decision)] >= decision.point - decision.spacing
    for alerts in history.values():
        for (before, _), (after, decision) in itertools.pairwise(alerts):
            # A later alert about the same thing is a new mail's announcement, or a reminder
            # that comes more than half its lead after the last alert: never two alerts about
            # one deadline within one lead interval.
            if decision.point is not None:
                assert before < decision.point - decision.spacing, (before, after, decision)
                assert after - before > decision.spacing

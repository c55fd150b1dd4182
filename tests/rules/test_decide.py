"""Which alerts an order gets at a given moment, and that each fires under a stable key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from aliwatch.parsers.event import Kind as K
from aliwatch.rules.decide import (
    Decision,
    Marks,
    decide,
    filter_marked,
    noise_limit,
    once_per_deadline,
)
from aliwatch.rules.policy import Policy
from aliwatch.rules.state import fold
from tests.rules.test_state import ORDER, T0, ev, event_strategy

POLICY = Policy()
NO_MARKS = Marks()
PROPOSAL_DUE = datetime(2026, 11, 20, 7, 59, tzinfo=UTC)


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


def rules_at(events, day: float, marks: Marks = NO_MARKS) -> list[str]:
    return sorted(d.rule for d in decide(fold(ORDER, events), at(day), POLICY, marks))


def proposal(day: int = 42, **fields):
    fields.setdefault("deadline", PROPOSAL_DUE)
    return ev(K.SELLER_PROPOSAL, day, **fields)


def test_a_proposal_alerts_at_once_and_urgently():
    (decision,) = decide(
        fold(ORDER, [ev(K.DISPUTE_OPENED, 40), proposal()]), at(42.1), POLICY, NO_MARKS
    )
    assert decision.rule == "proposal_waiting"
    assert decision.urgent
    assert decision.due == PROPOSAL_DUE


def test_the_proposal_alert_shows_proposed_and_paid_amounts():
    events = [
        ev(K.ORDER_CONFIRMED, 1, amount=Decimal("23.40"), currency="USD"),
        proposal(amount=Decimal("0.00"), currency="USD"),
    ]
    (decision,) = decide(fold(ORDER, events), at(42.1), POLICY, NO_MARKS)
    assert decision.details == {"proposed": "0.00 USD", "paid": "23.40 USD"}


def test_proposal_reminders_follow_the_lead_times_before_a_stated_deadline():
    events = [ev(K.DISPUTE_OPENED, 40), proposal()]
    due = PROPOSAL_DUE
    state = fold(ORDER, events)
    leads = [d.lead for d in decide(state, due - timedelta(hours=5), POLICY, NO_MARKS) if d.lead]
    assert leads == [timedelta(hours=6)]


def test_a_proposal_without_a_date_is_reminded_daily():
    events = [ev(K.DISPUTE_OPENED, 40), ev(K.SELLER_PROPOSAL, 42)]
    keys = {
        d.key
        for day in (43.5, 44.5)
        for d in decide(fold(ORDER, events), at(day), POLICY, NO_MARKS)
    }
    assert {k for k in keys if ":daily:" in k} == {
        f"proposal_waiting:{ORDER}:daily:{at(42).isoformat()}:1",
        f"proposal_waiting:{ORDER}:daily:{at(42).isoformat()}:2",
    }


def test_an_answered_proposal_stops_alerting():
    events = [ev(K.DISPUTE_OPENED, 40), proposal(), ev(K.DISPUTE_ESCALATED, 43)]
    assert "proposal_waiting" not in rules_at(events, 44)


def test_an_unverified_proposal_gives_a_warning_not_an_instruction():
    events = [ev(K.DISPUTE_OPENED, 40), proposal(authentic=False)]
    (decision,) = decide(fold(ORDER, events), at(42.1), POLICY, NO_MARKS)
    assert (decision.rule, decision.verified) == ("unverified", False)
    assert decision.headline.startswith(
        "Unverified mail claims the seller made a proposal in your dispute: check the order page"
    )
    assert decision.claimed_rule == "proposal_waiting"
    assert "Do not act on the mail" in decision.advice


def test_a_forged_follow_up_to_a_genuine_proposal_is_only_a_warning():
    # A scammer's "new offer" after the seller's real one: its alert must not read as an
    # instruction, and the genuine deadline's alert must stay the seller's, unmoved.
    forged = proposal(
        43,
        authentic=False,
        deadline=datetime(2027, 1, 30, 7, 59, tzinfo=UTC),
        message_id="<x@evil>",
    )
    events = [ev(K.DISPUTE_OPENED, 40), proposal(), forged]
    decisions = once_per_deadline(
        decide(fold(ORDER, events), at(43.1), POLICY, NO_MARKS), {}, at(43.1)
    )
    genuine = [d for d in decisions if d.verified]
    assert [(d.rule, d.due) for d in genuine] == [("proposal_waiting", PROPOSAL_DUE)]
    (warning,) = [d for d in decisions if not d.verified]
    assert warning.due is None
    assert warning.details["claimed_deadline"] == "2027-01-30T07:59:00Z"
    assert warning.key == f"unverified:{ORDER}:<x@evil>:seller_proposal"


def test_a_forged_awaiting_confirmation_before_the_genuine_one_is_only_a_warning():
    events = [
        ev(K.ORDER_SHIPPED, 3),
        ev(K.AWAITING_CONFIRMATION, 60, authentic=False, message_id="<x@evil>"),
        ev(K.AWAITING_CONFIRMATION, 61),
    ]
    decisions = decide(fold(ORDER, events), at(61.1), POLICY, NO_MARKS)
    assert sorted((d.rule, d.verified) for d in decisions) == [
        ("awaiting_confirmation", True),
        ("unverified", False),
    ]


def test_awaiting_confirmation_alerts_at_once():
    assert "awaiting_confirmation" in rules_at(
        [ev(K.ORDER_SHIPPED, 3), ev(K.AWAITING_CONFIRMATION, 60)], 60.1
    )


def test_protection_reminder_fifteen_days_before_the_end():
    events = [ev(K.ORDER_SHIPPED, 3)]  # protection ends on day 93
    assert rules_at(events, 77) == []
    assert rules_at(events, 79) == ["protection_ending"]


def test_dispute_window_reminders_only_with_a_problem_or_when_watched():
    delivered = [
        ev(K.ORDER_SHIPPED, 3, parcel_id="LP1"),
        ev(K.PARCEL_DELIVERED, 20, parcel_id="LP1"),
        ev(K.DELIVERY_CONFIRMED, 30),
    ]
    assert rules_at(delivered, 44) == []
    assert rules_at(delivered, 44, Marks(watched=True)) == ["dispute_window"]
    partly = [ev(K.ORDER_SHIPPED, 3, parcel_id="LP1", partial=True), ev(K.DELIVERY_CONFIRMED, 30)]
    assert "dispute_window" in rules_at(partly, 44)


def test_overdue_checks_fire_only_after_their_date():
    cancel = [ev(K.ORDER_CONFIRMED, 1), ev(K.CANCELLATION_REQUESTED, 2)]
    assert "cancellation_undecided" not in rules_at(cancel, 10)
    assert "cancellation_undecided" in rules_at(cancel, 11.5)
    assert "seller_silent" in rules_at([ev(K.DISPUTE_OPENED, 40)], 45.5)
    assert "refund_missing" in rules_at([ev(K.CANCELLATION_ACCEPTED, 3)], 23.5)


def test_seller_pressure_gives_a_scam_warning():
    assert "pressure" in rules_at([ev(K.SELLER_MESSAGE, 41, pressure=True)], 41.1)


def test_acked_rules_and_snoozes_silence_alerts_but_not_urgent_ones():
    events = [
        ev(K.ORDER_SHIPPED, 3),
        ev(K.DISPUTE_OPENED, 40),
        ev(K.SELLER_MESSAGE, 41, pressure=True),
        proposal(),
    ]
    found = decide(fold(ORDER, events), at(42.1), POLICY, NO_MARKS)
    assert {
        d.rule for d in filter_marked(found, Marks(acked=frozenset({"pressure"})), at(42.1))
    } == {"proposal_waiting"}
    snoozed = Marks(snoozed_until=at(50))
    assert {d.rule for d in filter_marked(found, snoozed, at(42.1))} == {"proposal_waiting"}
    assert filter_marked(found, Marks(acked=frozenset({"*"})), at(42.1)) == []


def test_noise_limit_one_ordinary_alert_per_order_per_day():
    ordinary = [
        Decision(f"k{i}", ORDER, "parcel_stalled", "h", "a", due=at(30 + i)) for i in range(3)
    ]
    urgent = Decision("u", ORDER, "proposal_waiting", "h", "a", urgent=True)
    assert [d.key for d in noise_limit([*ordinary, urgent], alerted_today=())] == ["u", "k0"]
    assert [d.key for d in noise_limit([*ordinary, urgent], alerted_today={ORDER})] == ["u"]


@settings(max_examples=200, deadline=None)
@given(st.lists(event_strategy, max_size=12), st.integers(0, 200))
def test_replaying_all_mails_never_yields_a_second_key(events, day):
    once = decide(fold(ORDER, events), at(day), POLICY, NO_MARKS)
    twice = decide(fold(ORDER, events + events), at(day), POLICY, NO_MARKS)
    assert [d.key for d in twice] == [d.key for d in once]
    assert len({d.key for d in once}) == len(once)


@settings(max_examples=200, deadline=None)
@given(st.lists(event_strategy, max_size=12), st.integers(0, 200))
def test_every_due_time_is_timezone_aware(events, day):
    for decision in decide(fold(ORDER, events), at(day), POLICY, NO_MARKS):
        assert decision.due is None or decision.due.tzinfo is not None


def test_an_overdue_check_is_not_urgent():
    events = [ev(K.PARCEL_UPDATE, 5, parcel_id="LP1", stage="departed")]
    (decision,) = decide(fold(ORDER, events), at(40), POLICY, NO_MARKS)
    assert (decision.rule, decision.urgent) == ("parcel_stalled", False)


def test_a_deadline_under_a_day_ahead_is_urgent():
    events = [ev(K.ORDER_SHIPPED, 3)]  # protection ends on day 93
    (decision,) = decide(fold(ORDER, events), at(92.5), POLICY, NO_MARKS)
    assert decision.urgent


def test_a_dispute_with_no_news_for_three_days_is_looked_at_every_three_days():
    events = [ev(K.DISPUTE_OPENED, 40)]
    assert "dispute_quiet" not in rules_at(events, 42.9)
    first = [d for d in decide(fold(ORDER, events), at(43.1), POLICY, NO_MARKS)]
    assert [(d.rule, d.key) for d in first] == [
        ("dispute_quiet", f"dispute_quiet:{ORDER}:{at(40).isoformat()}:1")
    ]
    assert "escalate" in first[0].advice
    keys = {d.key for d in decide(fold(ORDER, events), at(46.2), POLICY, NO_MARKS)}
    assert f"dispute_quiet:{ORDER}:{at(40).isoformat()}:2" in keys


def test_news_about_the_dispute_restarts_the_quiet_count_and_an_escalated_one_is_watched_too():
    events = [ev(K.DISPUTE_OPENED, 40), ev(K.DISPUTE_ESCALATED, 42)]
    assert "dispute_quiet" not in rules_at(events, 44.9)
    assert "dispute_quiet" in rules_at(events, 45.1)


def test_a_proposal_or_a_closed_dispute_is_not_a_quiet_one():
    waiting = [ev(K.DISPUTE_OPENED, 40), proposal(41)]
    assert "dispute_quiet" not in rules_at(waiting, 48)
    closed = [ev(K.DISPUTE_OPENED, 40), ev(K.DISPUTE_CLOSED, 41)]
    assert "dispute_quiet" not in rules_at(closed, 48)


def test_the_quiet_days_are_a_policy_setting():
    events = [ev(K.DISPUTE_OPENED, 40)]
    patient = Policy(dispute_quiet_days=6)
    assert not [
        d
        for d in decide(fold(ORDER, events), at(45), patient, NO_MARKS)
        if d.rule == "dispute_quiet"
    ]


def test_a_requested_return_is_announced_with_the_stated_date_and_reminded_before_it():
    due = datetime(2026, 11, 20, 7, 59, tzinfo=UTC)
    events = [ev(K.DISPUTE_OPENED, 40), ev(K.RETURN_REQUIRED, 42, deadline=due)]
    (announced,) = decide(fold(ORDER, events), at(42.1), POLICY, NO_MARKS)
    assert (announced.rule, announced.due, announced.urgent) == (
        "return_due",
        due,
        True,
    )
    assert "return postage" in announced.advice and "Do not close the dispute" in announced.advice
    reminders = decide(fold(ORDER, events), due - timedelta(hours=20), POLICY, NO_MARKS)
    assert [d.lead for d in reminders if d.lead] == [timedelta(days=1)]


def test_a_return_without_a_date_gets_the_default_ten_days_and_ends_with_the_refund():
    events = [ev(K.DISPUTE_OPENED, 40), ev(K.RETURN_REQUIRED, 42)]
    (announced,) = decide(fold(ORDER, events), at(42.1), POLICY, NO_MARKS)
    assert announced.due == at(52)
    assert decide(fold(ORDER, events), at(42.1), Policy(return_days=5), NO_MARKS)[0].due == at(47)
    refunded = [*events, ev(K.REFUND_ISSUED, 50)]
    assert "return_due" not in rules_at(refunded, 50.5)


def test_a_forged_return_request_on_a_genuine_dispute_only_warns():
    events = [
        ev(K.DISPUTE_OPENED, 40),
        ev(K.RETURN_REQUIRED, 42, authentic=False, message_id="<r@evil>"),
    ]
    (warning,) = decide(fold(ORDER, events), at(42.1), POLICY, NO_MARKS)
    assert (warning.rule, warning.claimed_rule) == ("unverified", "return_due")
    assert warning.headline.startswith(
        "Unverified mail claims the seller asked you to return the item"
    )


def test_a_proposal_after_a_return_request_is_the_question_to_answer():
    due = datetime(2026, 11, 20, 7, 59, tzinfo=UTC)
    events = [ev(K.DISPUTE_OPENED, 40), ev(K.RETURN_REQUIRED, 42), proposal(45, deadline=due)]
    assert "proposal_waiting" in rules_at(events, 45.1)
    assert "return_due" not in rules_at(events, 45.1)


def test_a_forged_claim_does_not_take_a_genuine_alerts_daily_slot():
    forged = ev(K.DISPUTE_CLOSED, 7, authentic=False, message_id="<c@evil>")
    decisions = decide(fold(ORDER, [ev(K.ORDER_CONFIRMED, 0), forged]), at(7.1), POLICY, NO_MARKS)
    assert sorted(d.rule for d in noise_limit(decisions, set())) == ["not_shipped", "unverified"]

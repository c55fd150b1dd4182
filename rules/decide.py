"""The alerts an order needs: (state, now, policy, marks) -> decisions, each with a stable key."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from parsers.event import Kind
from rules.advice import ADVICE, HEADLINE
from rules.deadlines import Deadline, Rule, deadlines
from rules.phase import Phase, phase
from rules.policy import Policy
from rules.state import OrderState
from rules.urgency import is_urgent

_NEVER = datetime.max.replace(tzinfo=UTC)
# Megabonus: a dispute needs >= 15 days left on the protection timer, so warn that early too.
PROTECTION_EXTRA_LEAD = timedelta(days=15)
# Checks that fire once when their date has passed, rather than counting down to it.
_OVERDUE_RULES = frozenset(
    {Rule.CANCEL_DECISION, Rule.SELLER_REPLY, Rule.SHIPPING, Rule.STALLED, Rule.REFUND}
)
# The mail a rule acts on (its kind, and whether the first of them rather than the latest):
# when that mail is unverified, the alert is a warning instead of an instruction.
_TRIGGER: dict[str, tuple[Kind, bool]] = {
    Rule.PROPOSAL: (Kind.SELLER_PROPOSAL, False),
    "awaiting_confirmation": (Kind.AWAITING_CONFIRMATION, True),
}


@dataclass(frozen=True, slots=True)
class Marks:
    """What the user said about an order: `aliwatch ack`, `snooze`, `watch`."""

    acked: frozenset[str] = frozenset()  # rule names; "*" = every rule
    snoozed_until: datetime | None = None
    watched: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """One alert to send. `key` is stable across passes: the store sends each key once."""

    key: str
    order_id: str
    rule: str
    headline: str
    advice: str
    due: datetime | None = None
    lead: timedelta | None = None
    urgent: bool = False
    verified: bool = True
    details: dict[str, str] = field(default_factory=dict)

    @property
    def claimed_rule(self) -> str:
        """The rule the triggering mail claims (the alert's own rule unless it is unverified)."""
        return self.details.get("claimed_rule", self.rule)

    def urgent_at(self, now: datetime) -> bool:
        """Whether the alert is urgent at `now` (rules/urgency.py, the one definition)."""
        return is_urgent(self.claimed_rule, self.due, now)


def _key(rule: str, order_id: str, *parts: object) -> str:
    return ":".join([rule, order_id, *(str(p) for p in parts)])


def _decision(
    state: OrderState,
    rule: str,
    now: datetime,
    *,
    due: datetime | None,
    key: str,
    lead: timedelta | None = None,
) -> Decision:
    trigger = _TRIGGER.get(rule)
    verified = trigger is None or state.authentic(trigger[0], first=trigger[1])
    urgent = is_urgent(rule, due, now)
    details: dict[str, str] = {}
    if state.proposed_amount and rule == Rule.PROPOSAL:
        details["proposed"] = " ".join(state.proposed_amount)
    if state.paid_amount:
        details["paid"] = " ".join(state.paid_amount)
    if not verified:
        # Never "act now" on a mail that may be forged: say so and send the buyer to the order.
        details["claims"] = HEADLINE[rule]
        details["claimed_rule"] = rule
        headline, advice = HEADLINE["unverified"], ADVICE["unverified"]
        return Decision(
            key,
            state.order_id,
            "unverified",
            headline,
            advice,
            due,
            verified=False,
            details=details,
        )
    return Decision(
        key, state.order_id, rule, HEADLINE[rule], ADVICE[rule], due, lead, urgent, details=details
    )


def _countdown(
    state: OrderState, deadline: Deadline, now: datetime, leads: Iterable[timedelta]
) -> Decision | None:
    """The reminder for the smallest lead time already reached before the due time, if any."""
    if now >= deadline.due:
        return None
    reached = [lead for lead in leads if now >= deadline.due - lead]
    if not reached:
        return None
    lead = min(reached)
    key = _key(deadline.rule, state.order_id, deadline.subject, deadline.due.isoformat(), lead)
    return _decision(state, deadline.rule, now, due=deadline.due, key=key, lead=lead)


def _problem_signal(state: OrderState, now: datetime, policy: Policy) -> bool:
    """Issue #3: only orders that show a problem get dispute-window reminders."""
    parcels = list(state.parcels.values())
    undelivered = any(p.delivered_at is None for p in parcels)
    stalled = any(
        p.delivered_at is None
        and p.last_update is not None
        and now - p.last_update >= timedelta(days=policy.stall_days)
        for p in parcels
    )
    closed_without_refund = state.seen(Kind.DISPUTE_CLOSED) and not state.seen(Kind.REFUND_ISSUED)
    partial = state.partial and not state.fully_shipped
    return undelivered or stalled or closed_without_refund or partial


def decide(state: OrderState, now: datetime, policy: Policy, marks: Marks) -> list[Decision]:
    """Every alert this order needs at `now`, before acks, snoozes and the noise limit."""
    found: list[Decision] = []
    current = phase(state)
    order = state.order_id
    if current is Phase.PROPOSAL_WAITING:
        # Seed: a proposal left unanswered closes the dispute for the seller: alert at once.
        proposed_at = state.last[Kind.SELLER_PROPOSAL]
        key = _key(Rule.PROPOSAL, order, "new", proposed_at.isoformat())
        found.append(_decision(state, Rule.PROPOSAL, now, due=state.proposal_deadline, key=key))
    if current is Phase.AWAITING_CONFIRMATION:
        at = state.first[Kind.AWAITING_CONFIRMATION]
        found.append(
            _decision(
                state,
                "awaiting_confirmation",
                now,
                due=None,
                key=_key("awaiting", order, at.isoformat()),
            )
        )
    if state.pressure_at is not None:
        key = _key("pressure", order, state.pressure_at.isoformat())
        found.append(_decision(state, "pressure", now, due=None, key=key))
    for deadline in deadlines(state, policy):
        found.extend(_for_deadline(state, deadline, now, policy, marks))
    return found


def _for_deadline(
    state: OrderState, deadline: Deadline, now: datetime, policy: Policy, marks: Marks
) -> list[Decision]:
    order = state.order_id
    if deadline.rule in _OVERDUE_RULES:
        if now < deadline.due:
            return []
        key = _key(deadline.rule, order, deadline.subject, deadline.due.isoformat())
        return [_decision(state, deadline.rule, now, due=deadline.due, key=key)]
    if deadline.rule is Rule.PROPOSAL:
        if deadline.stated:
            reminder = _countdown(state, deadline, now, policy.remind_before)
            return [reminder] if reminder else []
        # No stated date: remind daily until an answer, escalation or closure (issue #3).
        days = int((now - state.last[Kind.SELLER_PROPOSAL]) / policy.proposal_reminder)
        if days < 1:
            return []
        key = _key(Rule.PROPOSAL, order, "daily", days)
        return [_decision(state, Rule.PROPOSAL, now, due=None, key=key)]
    if deadline.rule is Rule.PROTECTION:
        reminder = _countdown(state, deadline, now, (*policy.remind_before, PROTECTION_EXTRA_LEAD))
        return [reminder] if reminder else []
    if deadline.rule is Rule.DISPUTE_WINDOW and (
        marks.watched or _problem_signal(state, now, policy)
    ):
        reminder = _countdown(state, deadline, now, policy.remind_before)
        return [reminder] if reminder else []
    return []


def filter_marked(decisions: Iterable[Decision], marks: Marks, now: datetime) -> list[Decision]:
    """Drop what the user acknowledged; while snoozed, keep only urgent alerts."""
    kept = []
    for decision in decisions:
        if "*" in marks.acked or decision.rule in marks.acked:
            continue
        if marks.snoozed_until is not None and now < marks.snoozed_until and not decision.urgent:
            continue
        kept.append(decision)
    return kept


def noise_limit(decisions: Iterable[Decision], alerted_today: Collection[str]) -> list[Decision]:
    """At most one ordinary alert per order per day; proposals and deadlines under 24 h pass."""
    kept: list[Decision] = []
    ordinary_sent = set(alerted_today)
    for decision in sorted(decisions, key=_urgency_order):
        if decision.urgent:
            kept.append(decision)
        elif decision.order_id not in ordinary_sent:
            kept.append(decision)
            ordinary_sent.add(decision.order_id)
    return kept


def _urgency_order(decision: Decision) -> tuple[bool, datetime, str]:
    return (not decision.urgent, decision.due or _NEVER, decision.key)

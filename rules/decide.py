"""The alerts an order needs: (state, now, policy, marks) -> decisions, each with a stable key."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aliwatch.parsers.event import Kind
from aliwatch.rules.alerts import (
    CLAIM,
    CLAIM_RULE,
    COPY,
    FLAGGED,
    SUSPICIOUS_BUT_AUTHENTIC,
    AlertKind,
)
from aliwatch.rules.deadlines import Deadline, deadlines, return_due
from aliwatch.rules.phase import Phase, phase
from aliwatch.rules.policy import Policy
from aliwatch.rules.state import OrderState
from aliwatch.rules.urgency import is_urgent

_NEVER = datetime.max.replace(tzinfo=UTC)
# Megabonus: a dispute needs >= 15 days left on the protection timer, so warn that early too.
PROTECTION_EXTRA_LEAD = timedelta(days=15)
# Checks that fire once when their date has passed, rather than counting down to it.
_OVERDUE_RULES = frozenset(
    {
        AlertKind.CANCEL_DECISION,
        AlertKind.SELLER_REPLY,
        AlertKind.SHIPPING,
        AlertKind.STALLED,
        AlertKind.REFUND,
    }
)


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
    rule: AlertKind
    headline: str
    advice: str
    due: datetime | None = None
    lead: timedelta | None = None
    urgent: bool = False
    verified: bool = True
    details: dict[str, str] = field(default_factory=dict)
    # When a reminder became due (the deadline minus its lead, the n-th day of a daily
    # reminder); None for an alert about something that happened (a mail, a passed date).
    point: datetime | None = None
    # An alert about the same thing this close before `point` makes the reminder redundant: half
    # its lead (or period), so a proposal announced a minute before its 1-day lead gets no
    # second alert a minute later, and one announced two days before still gets it.
    spacing: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        # A rule read back from the store or given as its name becomes the enum (ValueError if
        # it is none), so `rule is AlertKind.X` holds wherever a Decision is made.
        object.__setattr__(self, "rule", AlertKind(self.rule))

    @property
    def claimed_rule(self) -> str:
        """The rule the triggering mail claims (the alert's own rule unless it is unverified)."""
        return self.details.get("claimed_rule", self.rule)

    def urgent_at(self, now: datetime) -> bool:
        """Whether the alert is urgent at `now` (rules/urgency.py, the one definition)."""
        return is_urgent(self.claimed_rule, self.due, now)


def _key(rule: AlertKind | str, order_id: str, *parts: object) -> str:
    return ":".join([rule, order_id, *(str(p) for p in parts)])


def _decision(
    state: OrderState,
    rule: AlertKind,
    now: datetime,
    *,
    due: datetime | None,
    key: str,
    lead: timedelta | None = None,
    point: datetime | None = None,
    spacing: timedelta = timedelta(0),
) -> Decision:
    details: dict[str, str] = {}
    if state.proposed_amount and rule == AlertKind.PROPOSAL:
        details["proposed"] = " ".join(state.proposed_amount)
    if state.paid_amount:
        details["paid"] = " ".join(state.paid_amount)
    return Decision(
        key,
        state.order_id,
        rule,
        COPY[rule].headline,
        COPY[rule].advice,
        due,
        lead,
        is_urgent(rule, due, now),
        details=details,
        point=point,
        spacing=spacing,
    )


def flagged(
    order_id: str,
    rule: AlertKind | str,
    claim: str,
    now: datetime,
    *,
    key: str,
    due: datetime | None = None,
    details: dict[str, str],
    point: datetime | None = None,
) -> Decision:
    """The warning an unverified mail gets instead of its alert (rules/alerts.py FLAGGED).

    `rule` is the alert the mail would raise if verified, else the kind of event it claims.
    """
    said = claim[:1].lower() + claim[1:]
    template = FLAGGED.get(rule if isinstance(rule, AlertKind) else None, FLAGGED[None])
    details = {**details, "claims": claim, "claimed_rule": str(rule)}
    return Decision(
        key,
        order_id,
        AlertKind.UNVERIFIED,
        template.format(said=said),
        COPY[AlertKind.UNVERIFIED].advice,
        due,
        urgent=is_urgent(rule, due, now),
        verified=False,
        details=details,
        point=point,
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
    point = deadline.due - lead
    return _decision(
        state, deadline.rule, now, due=deadline.due, key=key, lead=lead, point=point,
        spacing=lead / 2,
    )  # fmt: skip


def _problem_signal(state: OrderState, now: datetime, policy: Policy) -> bool:
    """Whether the order shows a problem: only such orders get dispute-window reminders.

    An order that arrived and is fine needs no reminder to dispute it; one undelivered, stalled,
    or closed without a refund does (docs/aliexpress-mail.md, "Timing rules").
    """
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
    """Every alert this order needs at `now`, before acks, snoozes and the noise limit.

    An order no authentic mail has named gets only the warnings its mails raise, one per mail:
    a forged mail must never start reminders (a forged dispute naming 5 orders made 5 urgent
    alerts a day) nor be worded as AliExpress's deadline.
    """
    if not state.trusted:
        return _claims(state, now)
    found: list[Decision] = []
    current = phase(state)
    order = state.order_id
    if current is Phase.PROPOSAL_WAITING:
        # A proposal left unanswered closes the dispute for the seller: alert at once.
        proposed_at = state.last[Kind.SELLER_PROPOSAL]
        key = _key(AlertKind.PROPOSAL, order, "new", proposed_at.isoformat())
        found.append(
            _decision(state, AlertKind.PROPOSAL, now, due=state.proposal_deadline, key=key)
        )
    if current is Phase.RETURN_REQUIRED:
        # The seller asked for the item back: the return has its own date and costs, and the
        # dispute must stay open until the refund arrives (docs/aliexpress-mail.md).
        asked_at = state.last[Kind.RETURN_REQUIRED]
        key = _key(AlertKind.RETURN, order, "new", asked_at.isoformat())
        due = return_due(state, policy)
        found.append(_decision(state, AlertKind.RETURN, now, due=due, key=key))
    if current is Phase.AWAITING_CONFIRMATION:
        at = state.first[Kind.AWAITING_CONFIRMATION]
        found.append(
            _decision(
                state,
                AlertKind.AWAITING_CONFIRMATION,
                now,
                due=None,
                key=_key("awaiting", order, at.isoformat()),
            )
        )
    if state.pressure_at is not None:
        key = _key(AlertKind.PRESSURE, order, state.pressure_at.isoformat())
        found.append(_decision(state, AlertKind.PRESSURE, now, due=None, key=key))
    for deadline in deadlines(state, policy):
        found.extend(_for_deadline(state, deadline, now, policy, marks))
    found.extend(_claims(state, now))
    return found


def _claims(state: OrderState, now: datetime) -> list[Decision]:
    """One warning per unverified mail that claims something the buyer would act on; a trusted
    state ignores the mail, so it moves and silences nothing."""
    found: list[Decision] = []
    for event, when in state.claims:
        claim = CLAIM.get(event.kind)
        if event.pressure:
            rule: AlertKind | str = AlertKind.PRESSURE
            claim = COPY[AlertKind.PRESSURE].headline
        elif claim is None:
            continue  # a tracking scan or an order confirmation: nothing to act on
        else:
            rule = CLAIM_RULE.get(event.kind, event.kind.value)
        ident = event.message_id or when.isoformat()
        details = {"mail_subject": event.subject or "", "mail_sent": when.isoformat()}
        # Which mail it was, for the cap on alerts per mail (a mail without a Message-ID too).
        details["mail"] = event.message_id or f"sent {when.isoformat()} {event.subject or ''}"
        if event.deadline is not None:
            details["claimed_deadline"] = event.to_json()["deadline"]
        key = _key(AlertKind.UNVERIFIED, state.order_id, ident, event.kind.value)
        if any(d.key == key for d in found):
            continue  # one Message-ID is one mail (the store keeps one event for it)
        found.append(flagged(state.order_id, rule, claim, now, key=key, due=None, details=details))
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
    if deadline.rule is AlertKind.PROPOSAL:
        if deadline.stated:
            reminder = _countdown(state, deadline, now, policy.remind_before)
            return [reminder] if reminder else []
        # No stated date: remind daily until an answer, escalation or closure.
        proposed_at = state.last[Kind.SELLER_PROPOSAL]
        days = int((now - proposed_at) / policy.proposal_reminder)
        if days < 1:
            return []
        # The proposal's time in the key: a newer proposal counts its own days.
        key = _key(AlertKind.PROPOSAL, order, "daily", proposed_at.isoformat(), days)
        point = proposed_at + days * policy.proposal_reminder
        spacing = policy.proposal_reminder / 2
        return [
            _decision(
                state, AlertKind.PROPOSAL, now, due=None, key=key, point=point, spacing=spacing
            )
        ]
    if deadline.rule is AlertKind.RETURN:
        reminder = _countdown(state, deadline, now, policy.remind_before)
        return [reminder] if reminder else []
    if deadline.rule is AlertKind.QUIET:
        # A dispute with no news: look at it every ALIWATCH_DISPUTE_QUIET_DAYS until mail comes
        # (docs/aliexpress-mail.md: a dispute not checked closes for the seller; a proposal mail may
        # never arrive).
        if now < deadline.due:
            return []
        period = timedelta(days=policy.dispute_quiet_days)
        checks = 1 + int((now - deadline.due) / period)
        since = deadline.due - period
        key = _key(AlertKind.QUIET, order, since.isoformat(), checks)
        point = since + checks * period
        return [
            _decision(
                state, AlertKind.QUIET, now, due=None, key=key, point=point, spacing=period / 2
            )
        ]
    if deadline.rule is AlertKind.PROTECTION:
        reminder = _countdown(state, deadline, now, (*policy.remind_before, PROTECTION_EXTRA_LEAD))
        return [reminder] if reminder else []
    if deadline.rule is AlertKind.DISPUTE_WINDOW and (
        marks.watched or _problem_signal(state, now, policy)
    ):
        reminder = _countdown(state, deadline, now, policy.remind_before)
        return [reminder] if reminder else []
    return []


def filter_marked(decisions: Iterable[Decision], marks: Marks, now: datetime) -> list[Decision]:
    """Drop what the user acknowledged; while snoozed, keep only urgent alerts."""
    kept = []
    for decision in decisions:
        if "*" in marks.acked or {decision.rule, decision.claimed_rule} & marks.acked:
            continue
        if marks.snoozed_until is not None and now < marks.snoozed_until and not decision.urgent:
            continue
        kept.append(decision)
    return kept


Group = tuple[str, str, datetime | None, bool]


def group_of(decision: Decision) -> Group:
    """What one alert is about: its order, the rule it claims, the deadline and its trust."""
    return (decision.order_id, decision.claimed_rule, decision.due, decision.verified)


def once_per_deadline(
    decisions: Iterable[Decision], alerted: Mapping[Group, datetime], now: datetime
) -> list[Decision]:
    """Drop reminders the last alert about the same thing already said.

    `alerted` holds when each group (`group_of`) was last alerted. A reminder is due at its
    `point`; when the buyer was alerted about the same order, rule and deadline after
    `point - spacing` (this pass's announcement of a new proposal, an earlier reminder), it
    would say again what was just said. Later reminders still come when their time comes.
    """
    last = dict(alerted)
    kept = []
    # Announcements first, then reminders newest point first: of several reminders already
    # due, the one with the shortest lead (the most urgent wording) is kept.
    ordered = sorted(decisions, key=lambda d: (d.point is not None, -(d.point or now).timestamp()))
    for decision in ordered:
        group = group_of(decision)
        before = last.get(group)
        if (
            decision.point is not None
            and before is not None
            and before >= decision.point - decision.spacing
        ):
            continue
        kept.append(decision)
        last[group] = now
    return kept


# One unverified mail raising more alerts than this in one pass is a flood, not news: it gets
# one "suspicious" alert instead (a forged mail named 1,001 orders and made 1,001 alerts).
MAX_ALERTS_PER_MAIL = 5


def cap_per_mail(decisions: Iterable[Decision], limit: int = MAX_ALERTS_PER_MAIL) -> list[Decision]:
    """Replace the alerts of any unverified mail that raised more than `limit` by one."""
    found = list(decisions)
    by_mail: dict[str, list[Decision]] = {}
    for decision in found:
        mail = decision.details.get("mail")
        if mail and not decision.verified:
            by_mail.setdefault(mail, []).append(decision)
    flooding = {mail: alerts for mail, alerts in by_mail.items() if len(alerts) > limit}
    kept = [d for d in found if d.verified or d.details.get("mail") not in flooding]
    kept.extend(
        suspicious(mail, len({d.order_id for d in alerts})) for mail, alerts in flooding.items()
    )
    return kept


def suspicious(
    mail: str, orders: int, details: Mapping[str, str] | None = None, *, authentic: bool = False
) -> Decision:
    """The one alert a mail that would flood the buyer gets, keyed by its Message-ID.

    A verified mail naming that many orders is AliExpress's (a huge cart): it is not called a
    forgery, only left for the buyer to read on the orders page.
    """
    copy = SUSPICIOUS_BUT_AUTHENTIC if authentic else COPY[AlertKind.SUSPICIOUS]
    return Decision(
        key=f"suspicious::{mail}",
        order_id="",
        rule=AlertKind.SUSPICIOUS,
        headline=copy.headline,
        advice=copy.advice,
        verified=authentic,
        details={**(details or {}), "orders": str(orders), "mail": mail},
    )


def noise_limit(decisions: Iterable[Decision], alerted_today: Collection[str]) -> list[Decision]:
    """At most one ordinary alert per order per day; proposals and deadlines under 24 h pass.

    A warning about an unverified mail passes without taking the order's slot (once per mail,
    capped per mail by `cap_per_mail`): a forged mail must not delay a genuine alert a day.
    """
    kept: list[Decision] = []
    ordinary_sent = set(alerted_today)
    for decision in sorted(decisions, key=_urgency_order):
        if decision.urgent or not decision.verified:
            kept.append(decision)
        elif decision.order_id not in ordinary_sent:
            kept.append(decision)
            ordinary_sent.add(decision.order_id)
    return kept


def _urgency_order(decision: Decision) -> tuple[bool, datetime, str]:
    return (not decision.urgent, decision.due or _NEVER, decision.key)


# How a decision is stored in the outbox and read back to be worded at delivery time.


def payload(decision: Decision) -> dict[str, Any]:
    """What a channel needs to word the alert later (times as ISO 8601 UTC)."""
    return {
        "order_id": decision.order_id,
        "rule": decision.rule,
        "headline": decision.headline,
        "advice": decision.advice,
        "due": decision.due.isoformat() if decision.due else None,
        "lead_seconds": int(decision.lead.total_seconds()) if decision.lead else None,
        "urgent": decision.urgent,
        "verified": decision.verified,
        "details": dict(decision.details),
    }


def decision_of(data: dict[str, Any], key: str) -> Decision:
    """The decision a stored alert payload describes (for rendering at delivery time)."""
    lead = data.get("lead_seconds")
    return Decision(
        key=key,
        order_id=data["order_id"],
        rule=AlertKind(data["rule"]),
        headline=data["headline"],
        advice=data["advice"],
        due=datetime.fromisoformat(data["due"]) if data.get("due") else None,
        lead=timedelta(seconds=lead) if lead else None,
        urgent=bool(data.get("urgent")),
        verified=bool(data.get("verified", True)),
        details=dict(data.get("details") or {}),
    )

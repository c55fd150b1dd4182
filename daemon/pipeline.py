"""One pass: mail into the store, each order through the rules, new alerts into the outbox."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from daemon.sources import Input
from daemon.store import MailKey, MailStatus, Store
from daemon.store.mails import MAX_ORDERS_PER_MAIL
from parsers import AuthPolicy, MailParseError, recognise
from parsers.event import Event, Kind
from rules.advice import ADVICE, ATTENTION_CLAIM, HEADLINE
from rules.deadlines import Deadline, deadlines
from rules.decide import (
    Decision,
    Marks,
    cap_per_mail,
    decide,
    filter_marked,
    flagged,
    noise_limit,
    once_per_deadline,
    suspicious,
)
from rules.phase import Phase, phase
from rules.policy import Policy
from rules.state import OrderState

_DAY = timedelta(days=1)
_IGNORED = frozenset({Kind.NOT_ALIEXPRESS, Kind.PROMOTION})


@dataclass
class IngestReport:
    """What a pass over some mail did; counts only, never mail content."""

    examined: int = 0
    new_events: int = 0
    failed: int = 0
    already_seen: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def ingest(
    store: Store, items: Iterable[Input], now: datetime, auth: AuthPolicy, *, account: str
) -> IngestReport:
    """Recognise and record every mail; an unreadable one is recorded as failed, never fatal."""
    report = IngestReport()
    for item in items:
        key = MailKey(account=account, folder=item.name, uidvalidity=0, uid=0)
        if store.is_recorded(key):
            report.already_seen += 1
            continue
        report.examined += 1
        data = item.data or b""
        digest = hashlib.sha256(data).hexdigest()
        event: Event | None = None
        error = item.error
        if item.data is not None:
            try:
                event = recognise(item.data, auth)
            except MailParseError as err:
                error = str(err)
        status: MailStatus = "failed" if event is None else "ok"
        if event is not None and event.kind in _IGNORED:
            status = "ignored"  # recorded as examined, never fetched again, no event kept
        report.failed += event is None
        if store.record(key, event, raw_digest=digest, status=status, error=error, now=now):
            report.new_events += 1
            kind = event.kind.value if event else "failed"
            report.kinds[kind] = report.kinds.get(kind, 0) + 1
    return report


def marks_of(store: Store, state: OrderState) -> Marks:
    """The user's marks; an acknowledgement holds until a newer mail about the order arrives."""
    acks = store.acks(state.order_id)
    latest_mail = max(state.last.values(), default=None)

    def current(at: datetime | None) -> bool:
        return at is not None and (latest_mail is None or at >= latest_mail)

    acked = {rule for rule, at in acks.rules.items() if current(at)}
    if current(acks.everything):
        acked.add("*")
    return Marks(
        acked=frozenset(acked),
        snoozed_until=store.snoozed_until(state.order_id),
        watched=store.watched(state.order_id),
    )


def attention_decisions(store: Store) -> list[Decision]:
    """Unrecognised AliExpress mail about disputes or refunds: an urgent alert each; one from
    a mail that could not be verified is worded as such, never as AliExpress's word."""
    found = []
    for event, when in store.attention_events():
        ident = event.message_id or when.isoformat()
        # The subject and date let the buyer find the mail; the order names it on the page.
        details = {"mail_subject": event.subject or "", "mail_sent": when.isoformat()}
        order = event.order_ids[0] if event.order_ids else ""
        key = f"attention::{ident}"
        if not event.authentic:
            details["mail"] = event.message_id or f"sent {when.isoformat()} {event.subject or ''}"
            found.append(
                flagged(order, "attention", ATTENTION_CLAIM, when, key=key, details=details)
            )
            continue
        found.append(
            Decision(
                key=key,
                order_id=order,
                rule="attention",
                headline=HEADLINE["attention"],
                advice=ADVICE["attention"],
                urgent=True,
                details=details,
            )
        )
    return found


def flooding_decisions(store: Store) -> list[Decision]:
    """A mail naming more orders than MAX_ORDERS_PER_MAIL made none: one alert says so."""
    found = []
    for event, when in store.flooding_events(MAX_ORDERS_PER_MAIL):
        details = {"mail_subject": event.subject or "", "mail_sent": when.isoformat()}
        mail = event.message_id or when.isoformat()
        orders = len(set(event.order_ids))
        found.append(suspicious(mail, orders, details, authentic=event.authentic))
    return found


def evaluate(store: Store, now: datetime, policy: Policy) -> list[Decision]:
    """Decide every order's alerts at `now` and add the new ones to the outbox; return those."""
    wanted: list[Decision] = []
    for order_id in store.order_ids():
        state = store.order_state(order_id)
        marks = marks_of(store, state)
        wanted.extend(filter_marked(decide(state, now, policy, marks), marks, now))
    # Alerts decided before are not candidates: an old one must not take a new one's daily slot.
    wanted = [d for d in wanted if store.alert(d.key) is None]
    wanted = once_per_deadline(wanted, store.alerted_groups(), now)
    wanted = noise_limit(wanted, store.orders_alerted_since(now - _DAY))
    wanted = cap_per_mail(wanted + attention_decisions(store)) + flooding_decisions(store)
    added = []
    known = set(store.order_ids())
    for decision in wanted:
        if store.add_alert(
            decision.key,
            order_id=decision.order_id if decision.order_id in known else None,
            rule=decision.rule,
            due=decision.due,
            payload=payload(decision),
            now=now,
        ):
            added.append(decision)
    return added


_DISPUTE_PHASES = frozenset(
    {Phase.DISPUTE_OPEN, Phase.PROPOSAL_WAITING, Phase.DISPUTE_ESCALATED, Phase.RETURN_REQUIRED}
)


def open_disputes(store: Store) -> int:
    """How many orders are in a dispute that is not closed (for systemd's STATUS= line)."""
    return sum(
        phase(store.order_state(order_id)) in _DISPUTE_PHASES for order_id in store.order_ids()
    )


_FINISHED = {Phase.COMPLETED, Phase.CANCELLED, Phase.REFUNDED}
_NEVER = datetime.max.replace(tzinfo=UTC)


def open_orders(
    store: Store, policy: Policy, *, everything: bool
) -> list[tuple[OrderState, list[Deadline]]]:
    """Orders not finished (or all), each with its deadlines, the soonest deadline first."""
    rows = []
    for order_id in store.order_ids():
        state = store.order_state(order_id)
        if everything or phase(state) not in _FINISHED:
            rows.append((state, deadlines(state, policy)))
    return sorted(rows, key=lambda row: (row[1][0].due if row[1] else _NEVER, row[0].order_id))


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
        rule=data["rule"],
        headline=data["headline"],
        advice=data["advice"],
        due=datetime.fromisoformat(data["due"]) if data.get("due") else None,
        lead=timedelta(seconds=lead) if lead else None,
        urgent=bool(data.get("urgent")),
        verified=bool(data.get("verified", True)),
        details=dict(data.get("details") or {}),
    )

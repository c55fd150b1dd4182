"""Each order through the rules: the alerts it needs now, added once to the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aliwatch.daemon.store import Store
from aliwatch.daemon.store.mails import MAX_ORDERS_PER_MAIL
from aliwatch.rules.alerts import ATTENTION_CLAIM, COPY, AlertKind
from aliwatch.rules.deadlines import Deadline, deadlines
from aliwatch.rules.decide import (
    Decision,
    Marks,
    cap_per_mail,
    decide,
    filter_marked,
    flagged,
    noise_limit,
    once_per_deadline,
    payload,
    suspicious,
)
from aliwatch.rules.phase import Phase, phase
from aliwatch.rules.policy import Policy
from aliwatch.rules.state import OrderState

_DAY = timedelta(days=1)


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
                flagged(order, AlertKind.ATTENTION, ATTENTION_CLAIM, when, key=key, details=details)
            )
            continue
        found.append(
            Decision(
                key=key,
                order_id=order,
                rule=AlertKind.ATTENTION,
                headline=COPY[AlertKind.ATTENTION].headline,
                advice=COPY[AlertKind.ATTENTION].advice,
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

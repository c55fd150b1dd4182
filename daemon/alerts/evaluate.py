"""Each order through the rules: the alerts it needs now, added once to the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog

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

log = structlog.get_logger("aliwatch")
_DAY = timedelta(days=1)
# At the first pass of a store with no alert yet (new, or rebuilt from the mailbox after its
# database was lost), an alert that became due longer ago than this is taken as one the buyer
# already had: it is recorded as sent, not sent again. Deleting a database re-sent 101 of 101
# alerts before. Within the grace it is sent: the daemon may have been down (a damaged store
# crash-looping) when it came due, and a recent one sent twice costs one mail.
CATCH_UP_GRACE = timedelta(days=1)
CAUGHT_UP = "already due before this store's first pass (rebuilt from the mailbox): not re-sent"


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


@dataclass
class Evaluation:
    """What one rules pass added: the alerts to send, and how many it recorded as already
    had (`CATCH_UP_GRACE`) instead of sending."""

    added: list[Decision] = field(default_factory=list)
    caught_up: int = 0


def evaluate(
    store: Store, now: datetime, policy: Policy, *, catch_up: bool = False
) -> list[Decision]:
    """Decide every order's alerts at `now` and add the new ones to the outbox; return those
    to send. With `catch_up` (the daemon's first pass) a store with no alert yet records those
    the buyer already had as sent (`already_had`)."""
    return evaluate_all(store, now, policy, catch_up=catch_up).added


def evaluate_all(
    store: Store, now: datetime, policy: Policy, *, catch_up: bool = False
) -> Evaluation:
    """`evaluate`, also counting the alerts a new or rebuilt store recorded as already had."""
    first_pass = catch_up and not store.has_alerts()
    wanted: list[Decision] = []
    newest_mail: dict[str, datetime] = {}
    for order_id in store.order_ids():
        state = store.order_state(order_id)
        marks = marks_of(store, state)
        if state.last:
            newest_mail[order_id] = max(state.last.values())
        wanted.extend(filter_marked(decide(state, now, policy, marks), marks, now))
    # Alerts decided before are not candidates: an old one must not take a new one's daily slot.
    wanted = [d for d in wanted if store.alert(d.key) is None]
    wanted = once_per_deadline(wanted, store.alerted_groups(), now)

    def had(decision: Decision) -> bool:
        return first_pass and already_had(decision, now, newest_mail.get(decision.order_id))

    # Split before the noise limit: an alert the buyer already had takes no order's daily slot.
    caught_up = [d for d in wanted if had(d)]
    wanted = noise_limit([d for d in wanted if not had(d)], store.orders_alerted_since(now - _DAY))
    wanted = cap_per_mail(wanted + attention_decisions(store)) + flooding_decisions(store)
    caught_up += [d for d in wanted if had(d) and d.key not in {c.key for c in caught_up}]
    result = Evaluation()
    known = set(store.order_ids())
    skipped = {d.key for d in caught_up}
    for decision in [*caught_up, *(d for d in wanted if d.key not in skipped)]:
        is_had = decision.key in skipped
        if store.add_alert(
            decision.key,
            order_id=decision.order_id if decision.order_id in known else None,
            rule=decision.rule,
            due=decision.due,
            payload=payload(decision),
            now=now,
            skipped=CAUGHT_UP if is_had else None,
        ):
            if is_had:
                result.caught_up += 1
            else:
                result.added.append(decision)
    if result.caught_up:
        log.info(
            "alerts_caught_up",
            count=result.caught_up,
            grace_hours=int(CATCH_UP_GRACE / timedelta(hours=1)),
        )
    return result


def due_since(decision: Decision, now: datetime, newest_mail: datetime | None) -> datetime:
    """When an alert became due: a reminder at its point, a check at the date that passed, an
    announcement when its mail came (the order's newest mail when it names none)."""
    if decision.point is not None:
        return decision.point
    if decision.due is not None and decision.due <= now:
        return decision.due
    sent = decision.details.get("mail_sent")
    if sent:
        return datetime.fromisoformat(sent)
    return newest_mail or now


def already_had(decision: Decision, now: datetime, newest_mail: datetime | None) -> bool:
    """Whether a store's first pass takes the alert as one the buyer already had: it became
    due more than CATCH_UP_GRACE ago, and it is not an urgent one whose deadline is still to
    come (a proposal or a return waiting is said again rather than risked)."""
    if decision.urgent and decision.due is not None and decision.due > now:
        return False
    return due_since(decision, now, newest_mail) < now - CATCH_UP_GRACE


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

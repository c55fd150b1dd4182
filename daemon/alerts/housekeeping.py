"""aliwatch's own alerts: the dead-man alert when mailbox checks stop, its recovery, the digest."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from aliwatch.daemon.alerts.evaluate import open_orders
from aliwatch.daemon.alerts.render import local_time, status_table
from aliwatch.daemon.store import Store, StoredMail
from aliwatch.parsers.event import Kind
from aliwatch.parsers.fold import fold, subject_shape
from aliwatch.rules.alerts import COPY, AlertKind
from aliwatch.rules.decide import Decision, payload
from aliwatch.rules.policy import Policy
from aliwatch.rules.urgency import is_urgent

# Recognition drift: AliExpress changed a template when its mail stops being recognised. Three
# unrecognised mails of one subject shape in a row, or more than a fifth of a week's AliExpress
# mail (of at least five), is no accident. Older mail is history, not news.
DRIFT_IN_A_ROW = 3
DRIFT_SHARE = 0.2
DRIFT_WEEK_MINIMUM = 5
_DRIFT_LOOKBACK = timedelta(days=30)
_WEEK = timedelta(days=7)

LAST_CHECK = "last_check_ok"
RUN_STARTED = "run_started"


def _stale_key(since: datetime) -> str:
    # One key per outage: the outage is named by the last check that worked before it.
    return f"stale:{since.isoformat()}"


def add_own_alert(store: Store, decision: Decision, now: datetime) -> bool:
    """Store one of aliwatch's own alerts (about no order); True when its key is new."""
    return store.add_alert(
        decision.key,
        order_id=None,
        rule=decision.rule,
        due=None,
        payload=payload(decision),
        now=now,
    )


def own_decision(kind: AlertKind, key: str, now: datetime, **fields: str) -> Decision:
    """One of aliwatch's own alerts, in the words of rules/alerts.py with `fields` filled in."""
    copy = COPY[kind]
    return Decision(
        key=key,
        order_id="",
        rule=kind,
        headline=copy.headline.format(**fields),
        advice=copy.advice.format(**fields),
        urgent=is_urgent(kind, None, now),
    )


def login_refused(store: Store, now: datetime) -> bool:
    """Three refused logins in a row: tell the user, once per outage."""
    decision = own_decision(AlertKind.LOGIN_REFUSED, f"login_refused:{now:%Y-%m-%dT%H}", now)
    return add_own_alert(store, decision, now)


def reply_unusable(store: Store, now: datetime, detail: str) -> bool:
    """Syncs keep failing on server answers the sync cannot use: tell the user, once a day."""
    key = f"reply_unusable:{now:%Y-%m-%d}"
    decision = own_decision(AlertKind.REPLY_UNUSABLE, key, now, detail=detail)
    return add_own_alert(store, decision, now)


def run_started(store: Store, now: datetime) -> None:
    """Remember when `run` first started: with no successful check ever, staleness counts from
    it. Only the first start counts: a service restarted every few minutes by systemd because
    the mailbox is down must still reach ALIWATCH_STALE_HOURS and alert."""
    if store.health(RUN_STARTED) is None:
        store.set_health(RUN_STARTED, now)


def check_succeeded(store: Store, now: datetime, zone: tzinfo) -> bool:
    """Record a successful mailbox check; after an outage that was alerted, say it recovered.

    True when a recovery alert was added.
    """
    previous = store.health(LAST_CHECK) or store.health(RUN_STARTED)
    store.set_health(LAST_CHECK, now)
    if previous is None or store.alert(_stale_key(previous)) is None:
        return False
    last = local_time(previous, zone)
    decision = own_decision(
        AlertKind.RECOVERED, f"recovered:{previous.isoformat()}", now, last=last
    )
    return add_own_alert(store, decision, now)


def stale_alert(store: Store, now: datetime, zone: tzinfo, stale_hours: float) -> bool:
    """Alert once per outage when no mailbox check has worked for ALIWATCH_STALE_HOURS."""
    last = store.health(LAST_CHECK) or store.health(RUN_STARTED)
    if last is None or now - last < timedelta(hours=stale_hours):
        return False
    hours, when = f"{stale_hours:g}", local_time(last, zone)
    decision = own_decision(AlertKind.STALE, _stale_key(last), now, hours=hours, last=when)
    return add_own_alert(store, decision, now)


def digest_alert(store: Store, now: datetime, zone: tzinfo, at: time, policy: Policy) -> bool:
    """The daily digest, once a day from ALIWATCH_DIGEST_AT (local time) on."""
    local = now.astimezone(zone)
    if local.time() < at:
        return False
    key = f"digest:{local.date().isoformat()}"
    if store.alert(key) is not None:
        return False
    rows = open_orders(store, policy, everything=False)
    table = status_table(rows, now, zone, colour=False) if rows else "No open orders."
    decision = own_decision(AlertKind.DIGEST, key, now, count=str(len(rows)), table=table)
    return add_own_alert(store, decision, now)


def _unrecognised(mail: StoredMail) -> bool:
    return mail.event.kind is Kind.UNRECOGNIZED


def drift_alerts(store: Store, now: datetime, zone: tzinfo) -> int:
    """One health alert per subject shape whose mail stopped being recognised; how many new."""
    recent = store.aliexpress_mail_since(now - _DRIFT_LOOKBACK)
    by_shape: dict[str, list[StoredMail]] = {}
    for mail in recent:
        by_shape.setdefault(fold(mail.event.subject or ""), []).append(mail)
    drifted = {
        key
        for key, mails in by_shape.items()
        if len(mails) >= DRIFT_IN_A_ROW and all(map(_unrecognised, mails[-DRIFT_IN_A_ROW:]))
    }
    week = [mail for mail in recent if mail.sent_at >= now - _WEEK]
    missed = [mail for mail in week if _unrecognised(mail)]
    if len(week) >= DRIFT_WEEK_MINIMUM and len(missed) > DRIFT_SHARE * len(week):
        keys = [fold(mail.event.subject or "") for mail in missed]
        drifted.add(max(keys, key=keys.count))
    added = 0
    for key in sorted(drifted):
        unrecognised = [mail for mail in by_shape[key] if _unrecognised(mail)]
        latest = unrecognised[-1]
        shape = subject_shape(latest.event.subject or "") or "(no subject)"
        decision = own_decision(
            AlertKind.DRIFT,
            f"drift:{key}",
            now,
            count=str(len(unrecognised)),
            shape=shape,
            latest=local_time(latest.sent_at, zone),
        )
        added += add_own_alert(store, decision, now)
    return added

"""aliwatch's own alerts: the dead-man alert when mailbox checks stop, its recovery, the digest."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from aliwatch.daemon.alerts.evaluate import open_orders
from aliwatch.daemon.alerts.render import local_time, status_table
from aliwatch.daemon.store import Store, StoredMail
from aliwatch.parsers.event import Kind
from aliwatch.parsers.fold import fold, subject_shape
from aliwatch.rules.decide import Decision, payload
from aliwatch.rules.policy import Policy

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


def login_refused(store: Store, now: datetime) -> bool:
    """Three refused logins in a row: tell the user, once per outage."""
    return add_own_alert(
        store,
        Decision(
            key=f"login_refused:{now:%Y-%m-%dT%H}",
            order_id="",
            rule="login_refused",
            headline="aliwatch cannot log in to your mailbox",
            advice="Check ALIWATCH_IMAP_USER and the password or token settings; aliwatch "
            "now retries every 30 minutes.",
            urgent=True,
        ),
        now,
    )


def reply_unusable(store: Store, now: datetime, detail: str) -> bool:
    """Syncs keep failing on server answers the sync cannot use: tell the user, once a day."""
    return add_own_alert(
        store,
        Decision(
            key=f"reply_unusable:{now:%Y-%m-%d}",
            order_id="",
            rule="reply_unusable",
            headline="aliwatch cannot read your mail server's answers",
            advice=(
                f"Your mailbox is reachable, but its answers are not what aliwatch expects "
                f"({detail}), so no new mail is examined. Please report this with the server's "
                "name (aliwatch's log has the details); meanwhile watch your AliExpress mail "
                "yourself."
            ),
            urgent=True,
        ),
        now,
    )


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
    return add_own_alert(
        store,
        Decision(
            key=f"recovered:{previous.isoformat()}",
            order_id="",
            rule="recovered",
            headline="aliwatch is checking your mailbox again",
            advice=(
                f"The last check before the outage was {local_time(previous, zone)}. Mail that "
                "arrived meanwhile has been read now; any alerts it raised follow."
            ),
            urgent=True,
        ),
        now,
    )


def stale_alert(store: Store, now: datetime, zone: tzinfo, stale_hours: float) -> bool:
    """Alert once per outage when no mailbox check has worked for ALIWATCH_STALE_HOURS."""
    last = store.health(LAST_CHECK) or store.health(RUN_STARTED)
    if last is None or now - last < timedelta(hours=stale_hours):
        return False
    return add_own_alert(
        store,
        Decision(
            key=_stale_key(last),
            order_id="",
            rule="stale",
            headline=f"aliwatch has not been able to check your mailbox for {stale_hours:g} hours",
            advice=(
                f"The last successful check was {local_time(last, zone)}. Until it works again "
                "no new AliExpress mail is seen: check the mailbox settings and aliwatch's log "
                "(journalctl -u aliwatch), and look at your open disputes yourself meanwhile."
            ),
            urgent=True,
        ),
        now,
    )


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
    return add_own_alert(
        store,
        Decision(
            key=key,
            order_id="",
            rule="digest",
            headline=f"aliwatch digest: {len(rows)} open order(s)",
            advice="\n" + table,
        ),
        now,
    )


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
        added += add_own_alert(
            store,
            Decision(
                key=f"drift:{key}",
                order_id="",
                rule="drift",
                headline="AliExpress mail is no longer recognised: a template probably changed",
                advice=(
                    f'{len(unrecognised)} recent AliExpress mails shaped "{shape}" were not '
                    f"recognised, the latest sent {local_time(latest.sent_at, zone)}, so aliwatch "
                    "cannot warn you about what they say. Read them yourself meanwhile, list "
                    "them with `aliwatch unknown`, and teach aliwatch the new template in a few "
                    "minutes as CONTRIBUTING.md shows (aliwatch anonymize, a fixture, a row)."
                ),
            ),
            now,
        )
    return added

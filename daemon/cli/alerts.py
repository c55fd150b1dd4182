"""`aliwatch alerts`: every alert decided, newest first, and how it went on each channel."""

from __future__ import annotations

import json
import re
from datetime import datetime, tzinfo
from typing import Any, TextIO

from aliwatch.daemon.alerts.render import local_time
from aliwatch.daemon.cli.commands import CommandError, existing_store
from aliwatch.daemon.cli.unknown import parse_since
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.store.alerts import AlertRecord, ChannelDelivery
from aliwatch.rules.decide import Decision, decision_of

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _safe(value: object) -> str:
    # A headline or a server's error may carry mail text: no escape sequences to the terminal.
    return _UNPRINTABLE.sub("?", str(value))


def _iso(when: datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


def delivery_state(delivery: ChannelDelivery) -> str:
    """'sent', 'failed' (tried, not sent: it is tried again) or 'pending' (not tried yet)."""
    if delivery.state == "sent":
        return "sent"
    return "failed" if delivery.failed else "pending"


def _decision(record: AlertRecord) -> Decision:
    return decision_of(record.alert.payload, record.alert.key)


def alert_json(record: AlertRecord) -> dict[str, Any]:
    """One alert in `alerts --json` (a public contract: add fields, never rename)."""
    alert = record.alert
    decision = _decision(record)
    return {
        "key": alert.key,
        "order_id": alert.order_id or decision.order_id or None,
        "rule": alert.rule,
        "state": alert.state,
        "created_at": _iso(alert.created_at),
        "due": _iso(alert.due),
        # Urgent when it was decided, by the one definition (rules/urgency.py).
        "urgent": decision.urgent_at(alert.created_at),
        "verified": decision.verified,
        "headline": decision.headline,
        # Why it was recorded as sent without being sent (a rebuilt store's first pass).
        "skipped": alert.skipped,
        "deliveries": [
            {
                "channel": d.channel,
                "state": delivery_state(d),
                "attempts": d.attempts,
                "sent_at": _iso(d.sent_at),
                "next_try": None if d.state == "sent" else _iso(d.next_try),
                "last_error": d.last_error,
            }
            for d in record.deliveries
        ],
    }


def _delivery_line(delivery: ChannelDelivery, now: datetime, zone: tzinfo) -> str:
    state = delivery_state(delivery)
    if state == "sent":
        return f"sent {local_time(delivery.sent_at, zone)}" if delivery.sent_at else "sent"
    later = delivery.next_try is not None and delivery.next_try > now
    when = local_time(delivery.next_try, zone) if delivery.next_try and later else "now"
    if state == "failed":
        times = "once" if delivery.attempts == 1 else f"{delivery.attempts} times"
        return f"failed {times}, next try {when}: {delivery.last_error}"
    return f"pending, first try {when}" if later else "pending, not tried yet"


def alert_block(record: AlertRecord, now: datetime, zone: tzinfo) -> list[str]:
    """The lines of one alert in `aliwatch alerts`: what, when, and each channel's delivery."""
    alert = record.alert
    decision = _decision(record)
    order = alert.order_id or decision.order_id
    head = [local_time(alert.created_at, zone), alert.rule]
    if order:
        head.append(f"order {order}")
    if decision.urgent_at(alert.created_at):
        head.append("URGENT")
    if not decision.verified:
        head.append("UNVERIFIED")
    lines = ["  ".join(head), f"  {decision.headline}"]
    if alert.due is not None:
        lines.append(f"  Deadline: {local_time(alert.due, zone)}")
    if alert.state == "acked":
        if any(d.state == "sent" for d in record.deliveries):
            lines.append("  acknowledged")
        else:
            undo = f"aliwatch unack {order}"
            lines.append(f"  acknowledged before any channel sent it (undo: {undo})")
    if alert.skipped:
        lines.append(f"  not sent: {alert.skipped}")
    width = max((len(d.channel) for d in record.deliveries), default=0)
    for delivery in record.deliveries:
        lines.append(f"  {delivery.channel.ljust(width)}  {_delivery_line(delivery, now, zone)}")
    if not record.deliveries and alert.state == "pending":
        lines.append("  no channel has had it yet: `aliwatch run` sends it")
    return [_safe(line) for line in lines]


def alerts(
    settings: Settings,
    now: datetime,
    out: TextIO,
    *,
    as_json: bool,
    order_id: str | None,
    since: str | None,
) -> int:
    """Every stored alert (of one order, since a time), newest first, with its deliveries."""
    start = parse_since(since, now) if since else None
    with existing_store(settings) as store:
        if order_id is not None and order_id not in store.order_ids():
            raise CommandError(f"no mail has named order {order_id}")
        records = store.alert_log(order_id=order_id, since=start)
    if as_json:
        data = [alert_json(record) for record in records]
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return 0
    zone = settings.zone()
    about = f" about order {order_id}" if order_id else ""
    after = f" since {local_time(start, zone)}" if start else ""
    if not records:
        out.write(f"no alerts{about}{after}\n")
        return 0
    noun = "alert" if len(records) == 1 else "alerts"
    out.write(f"{len(records)} {noun}{about}{after}, newest first:\n")
    for record in records:
        out.write("\n" + "\n".join(alert_block(record, now, zone)) + "\n")
    return 0

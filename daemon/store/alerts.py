"""Alerts by key: each key is added once, ever, then tried until sent (the outbox)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from aliwatch.daemon.store.base import Connected
from aliwatch.daemon.store.codec import text_time, time_text

AlertState = Literal["pending", "sent", "failed", "acked"]


@dataclass(frozen=True, slots=True)
class Alert:
    """One stored alert; `payload` is what the channels need to word it."""

    key: str
    order_id: str | None
    rule: str
    due: datetime | None
    created_at: datetime
    state: AlertState
    attempts: int
    last_error: str | None
    payload: dict[str, Any]
    # Why it was recorded as sent without being sent (a rebuilt store's catch-up), else None.
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelDelivery:
    """How one alert went on one channel (daemon/store/deliveries.py): sent, or still to try."""

    channel: str
    state: Literal["pending", "sent"]
    attempts: int
    next_try: datetime | None
    last_error: str | None
    sent_at: datetime | None

    @property
    def failed(self) -> bool:
        """Not sent yet, and tried at least once without success."""
        return self.state == "pending" and self.attempts > 0 and self.last_error is not None


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A stored alert with its delivery on each channel it was handed to."""

    alert: Alert
    deliveries: tuple[ChannelDelivery, ...]


_SELECT = (
    "SELECT key, order_id, rule, due, created_at, state, attempts, last_error, payload, skipped"
    " FROM alerts "
)


def alert_of_row(row: sqlite3.Row) -> Alert:
    """The Alert a row of the alerts table (its columns as in _SELECT) describes."""
    return Alert(
        key=row["key"],
        order_id=row["order_id"],
        rule=row["rule"],
        due=text_time(row["due"]) if row["due"] else None,
        created_at=text_time(row["created_at"]),
        state=row["state"],
        attempts=int(row["attempts"]),
        last_error=row["last_error"],
        payload=json.loads(row["payload"]),
        skipped=row["skipped"] if "skipped" in row.keys() else None,  # noqa: SIM118 - sqlite3.Row
    )


class Alerts(Connected):
    """The alerts decided so far and how their delivery went."""

    def add_alert(
        self,
        key: str,
        *,
        order_id: str | None,
        rule: str,
        due: datetime | None,
        payload: dict[str, Any],
        now: datetime,
        skipped: str | None = None,
    ) -> bool:
        """Add the alert unless its key was ever added; True when it is new.

        The key is kept forever, so the same decision made again (after a restart, a replay of
        the mailbox, or an acknowledgement) never alerts twice. `order_id`, when given, must be
        an order the store knows. With `skipped` (the reason) it is recorded as sent and goes to
        no channel: the buyer already had it from the store this one replaces; like a send, that
        is checkpointed into the database file (base.Connected._checkpoint).
        """
        with self._write(checkpoint=skipped is not None) as db:
            row = db.execute(
                "INSERT INTO alerts (key, order_id, rule, due, created_at, payload, state, skipped)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id",
                (
                    key,
                    order_id,
                    rule,
                    time_text(due) if due else None,
                    time_text(now),
                    json.dumps(payload, sort_keys=True, ensure_ascii=False),
                    "pending" if skipped is None else "sent",
                    skipped,
                ),
            ).fetchone()
        return row is not None

    def has_alerts(self) -> bool:
        """Whether any alert was ever decided in this store (a new or rebuilt store has none)."""
        return bool(self._read("SELECT 1 FROM alerts LIMIT 1"))

    def alert(self, key: str) -> Alert | None:
        """The alert stored under `key`, if any."""
        rows = self._read(_SELECT + "WHERE key = ?", (key,))
        return alert_of_row(rows[0]) if rows else None

    def alert_log(
        self, *, order_id: str | None = None, since: datetime | None = None
    ) -> list[AlertRecord]:
        """Every alert (of one order, decided since `since`), newest first, with its deliveries."""
        start = time_text(since) if since else None
        params = (order_id, order_id, start, start)
        alerts = [
            alert_of_row(row)
            for row in self._read(
                _SELECT + "WHERE (? IS NULL OR order_id = ?) AND (? IS NULL OR created_at >= ?)"
                " ORDER BY created_at DESC, id DESC",
                params,
            )
        ]
        # Only the columns of migration 3 (daemon/store/migrations.py): later ones may be added.
        rows = self._read(
            "SELECT d.alert_key, d.channel, d.state, d.attempts, d.next_try, d.last_error,"
            " d.sent_at FROM deliveries d JOIN alerts a ON a.key = d.alert_key"
            " WHERE (? IS NULL OR a.order_id = ?) AND (? IS NULL OR a.created_at >= ?)"
            " ORDER BY d.channel",
            params,
        )
        by_key: dict[str, list[ChannelDelivery]] = {}
        for row in rows:
            by_key.setdefault(row["alert_key"], []).append(
                ChannelDelivery(
                    channel=row["channel"],
                    state=row["state"],
                    attempts=int(row["attempts"]),
                    next_try=text_time(row["next_try"]) if row["next_try"] else None,
                    last_error=row["last_error"],
                    sent_at=text_time(row["sent_at"]) if row["sent_at"] else None,
                )
            )
        return [AlertRecord(alert, tuple(by_key.get(alert.key, ()))) for alert in alerts]

    def orders_alerted_since(self, since: datetime) -> set[str]:
        """Orders that got an ordinary (not urgent) alert since `since`: the daily noise limit.

        A warning about an unverified mail does not count: a forged mail must not take a genuine
        alert's daily slot.
        """
        rows = self._read(
            "SELECT DISTINCT order_id FROM alerts WHERE created_at >= ? AND order_id IS NOT NULL"
            " AND skipped IS NULL AND coalesce(json_extract(payload, '$.urgent'), 0) = 0"
            " AND coalesce(json_extract(payload, '$.verified'), 1) = 1",
            (time_text(since),),
        )
        return {row[0] for row in rows}

"""What the user says about an order: watch it, acknowledge its alerts, snooze it; and undo."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from aliwatch.daemon.store.base import Connected
from aliwatch.daemon.store.codec import text_time, time_text
from aliwatch.daemon.store.errors import NotInStoreError


@dataclass(frozen=True, slots=True)
class Acks:
    """An order's acknowledgements: of every rule (`everything`) and of single rules, latest."""

    everything: datetime | None = None
    rules: Mapping[str, datetime] = field(default_factory=dict)

    def covers(self, rule: str) -> bool:
        """Has the user acknowledged this rule of the order (or all of its rules)?"""
        return self.everything is not None or rule in self.rules


@dataclass(frozen=True, slots=True)
class Unacked:
    """What `unack` undid: the rules no longer acknowledged (None: every rule), the held alerts
    pending again, and whether an acknowledgement of every rule still covers the rule asked."""

    rules: tuple[str | None, ...]
    alerts: int
    still_all: bool = False


class Marks(Connected):
    """The user's marks on orders; each names an order the store knows, else NotInStoreError."""

    def watch(self, order_id: str, now: datetime) -> None:
        """Mark the order as a problem to follow (`aliwatch watch`); the first time is kept."""
        self._change(
            order_id,
            "UPDATE orders SET watched = 1, watched_at = ifnull(watched_at, ?) WHERE order_id = ?",
            (time_text(now), order_id),
        )

    def watched(self, order_id: str) -> bool:
        """Has the user marked the order with `aliwatch watch`?"""
        rows = self._read("SELECT watched FROM orders WHERE order_id = ?", (order_id,))
        return bool(rows and rows[0][0])

    def ack(self, order_id: str, rule: str | None, now: datetime) -> None:
        """Acknowledge one rule of the order, or all of them (None); its unsent alerts are dropped.

        Pending and failed alerts of the order (of that rule) become "acked" and are not sent.
        """
        at = time_text(now)
        with self._on_order(order_id) as db:
            db.execute(
                "INSERT INTO acks (order_id, rule, at) VALUES (?, ?, ?)", (order_id, rule, at)
            )
            db.execute(
                "UPDATE alerts SET state = 'acked' WHERE order_id = ?"
                " AND state IN ('pending', 'failed') AND (? IS NULL OR rule = ?"
                " OR json_extract(payload, '$.details.claimed_rule') = ?)",
                (order_id, rule, rule, rule),
            )

    def acks(self, order_id: str) -> Acks:
        """The order's acknowledgements, each rule with the time it was last acknowledged."""
        rows = self._read(
            "SELECT rule, max(at) FROM acks WHERE order_id = ? GROUP BY rule", (order_id,)
        )
        latest = {row[0]: text_time(row[1]) for row in rows}
        everything = latest.pop(None, None)
        return Acks(everything, {rule: at for rule, at in latest.items() if rule is not None})

    def unack(self, order_id: str, rule: str | None) -> Unacked:
        """Remove the order's acknowledgements of `rule` (None: all); held alerts go out again."""
        with self._on_order(order_id) as db:
            removed = {
                row[0]
                for row in db.execute(
                    "DELETE FROM acks WHERE order_id = ? AND (? IS NULL OR rule = ?)"
                    " RETURNING rule",
                    (order_id, rule, rule),
                ).fetchall()
            }
            still_all = rule is not None and _acked_all(db, order_id)
            restored = 0
            if not still_all:
                # An alert `ack` held back is pending again unless a channel already sent it
                # (daemon/store/deliveries.py: one row per channel, "sent" once it went out).
                restored = db.execute(
                    "UPDATE alerts SET state = 'pending' WHERE order_id = ? AND state = 'acked'"
                    " AND (? IS NULL OR rule = ?) AND NOT EXISTS (SELECT 1 FROM deliveries d"
                    " WHERE d.alert_key = alerts.key AND d.state = 'sent')",
                    (order_id, rule, rule),
                ).rowcount
        rules = sorted(removed, key=lambda name: (name is not None, name or ""))
        return Unacked(tuple(rules), restored, still_all)

    def snooze(self, order_id: str, until: datetime) -> None:
        """Keep the order quiet until `until`; a later snooze replaces the earlier one."""
        self._change(
            order_id,
            "INSERT INTO snoozes (order_id, until) VALUES (?, ?)"
            " ON CONFLICT (order_id) DO UPDATE SET until = excluded.until",
            (order_id, time_text(until)),
        )

    def snoozed_until(self, order_id: str) -> datetime | None:
        """When the order's snooze ends (it may already have ended), or None if never snoozed."""
        rows = self._read("SELECT until FROM snoozes WHERE order_id = ?", (order_id,))
        return text_time(rows[0][0]) if rows else None

    def unsnooze(self, order_id: str) -> datetime | None:
        """End the order's snooze; when it was to end (maybe already past), None if none."""
        with self._on_order(order_id) as db:
            row = db.execute(
                "DELETE FROM snoozes WHERE order_id = ? RETURNING until", (order_id,)
            ).fetchone()
        return text_time(row[0]) if row else None

    def unwatch(self, order_id: str) -> bool:
        """Stop following the order as a problem; whether it was watched."""
        changed = self._change(
            order_id,
            "UPDATE orders SET watched = 0, watched_at = NULL WHERE order_id = ? AND watched = 1",
            (order_id,),
        )
        return changed == 1

    @contextmanager
    def _on_order(self, order_id: str) -> Iterator[sqlite3.Connection]:
        """One write about an order the store knows (else NotInStoreError, nothing written)."""
        with self._write() as db:
            _require_order(db, order_id)
            yield db

    def _change(self, order_id: str, sql: str, parameters: tuple[object, ...]) -> int:
        """Run one statement about an order the store knows; the number of rows it changed."""
        with self._on_order(order_id) as db:
            return db.execute(sql, parameters).rowcount


def _acked_all(db: sqlite3.Connection, order_id: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM acks WHERE order_id = ? AND rule IS NULL", (order_id,)
    ).fetchone()
    return row is not None


def _require_order(db: sqlite3.Connection, order_id: str) -> None:
    if db.execute("SELECT 1 FROM orders WHERE order_id = ?", (order_id,)).fetchone() is None:
        raise NotInStoreError(f"no mail has named order {order_id}")

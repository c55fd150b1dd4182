"""What the user says about an order: watch it, acknowledge its alerts, snooze it."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from daemon.store.base import Connected
from daemon.store.codec import text_time, time_text
from daemon.store.errors import NotInStoreError


@dataclass(frozen=True, slots=True)
class Acks:
    """An order's acknowledgements: of every rule (`everything`) and of single rules, latest."""

    everything: datetime | None = None
    rules: Mapping[str, datetime] = field(default_factory=dict)

    def covers(self, rule: str) -> bool:
        """Has the user acknowledged this rule of the order (or all of its rules)?"""
        return self.everything is not None or rule in self.rules


class Marks(Connected):
    """The user's marks on orders; each names an order the store knows, else NotInStoreError."""

    def watch(self, order_id: str, now: datetime) -> None:
        """Mark the order as a problem to follow (`aliwatch watch`); the first time is kept."""
        with self._write() as db:
            _require_order(db, order_id)
            db.execute(
                "UPDATE orders SET watched = 1, watched_at = coalesce(watched_at, ?)"
                " WHERE order_id = ?",
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
        with self._write() as db:
            _require_order(db, order_id)
            db.execute(
                "INSERT INTO acks (order_id, rule, at) VALUES (?, ?, ?)", (order_id, rule, at)
            )
            db.execute(
                "UPDATE alerts SET state = 'acked' WHERE order_id = ?"
                " AND state IN ('pending', 'failed') AND (? IS NULL OR rule = ?)",
                (order_id, rule, rule),
            )

    def acks(self, order_id: str) -> Acks:
        """The order's acknowledgements, each rule with the time it was last acknowledged."""
        rows = self._read(
            "SELECT rule, max(at) FROM acks WHERE order_id = ? GROUP BY rule", (order_id,)
        )
        latest = {row[0]: text_time(row[1]) for row in rows}
        everything = latest.pop(None, None)
        return Acks(everything, {rule: at for rule, at in latest.items() if rule is not None})

    def snooze(self, order_id: str, until: datetime) -> None:
        """Keep the order quiet until `until`; a later snooze replaces the earlier one."""
        with self._write() as db:
            _require_order(db, order_id)
            db.execute(
                "INSERT INTO snoozes (order_id, until) VALUES (?, ?)"
                " ON CONFLICT (order_id) DO UPDATE SET until = excluded.until",
                (order_id, time_text(until)),
            )

    def snoozed_until(self, order_id: str) -> datetime | None:
        """When the order's snooze ends (it may already have ended), or None if never snoozed."""
        rows = self._read("SELECT until FROM snoozes WHERE order_id = ?", (order_id,))
        return text_time(rows[0][0]) if rows else None


def _require_order(db: sqlite3.Connection, order_id: str) -> None:
    if db.execute("SELECT 1 FROM orders WHERE order_id = ?", (order_id,)).fetchone() is None:
        raise NotInStoreError(f"no mail has named order {order_id}")

"""The outbox per channel: each (alert, channel) pair is tried until sent, then never again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aliwatch.daemon.store.alerts import Alert, alert_of_row
from aliwatch.daemon.store.base import Connected
from aliwatch.daemon.store.codec import short_error, text_time, time_text


@dataclass(frozen=True, slots=True)
class Delivery:
    """One alert to send on one channel, with how many tries it has had."""

    alert: Alert
    channel: str
    attempts: int


class Deliveries(Connected):
    """Fan-out of new alerts to channels, and each channel's sends and retries."""

    def fan_out(self, channels: Sequence[str], now: datetime) -> int:
        """Give every alert that has no delivery yet one row per channel; how many alerts.

        Run once per pass before sending: an alert is stored before any send, and
        a channel configured later does not replay old alerts. With no channel nothing moves.
        """
        if not channels:
            return 0
        with self._write() as db:
            keys = [
                row[0]
                for row in db.execute(
                    "SELECT key FROM alerts WHERE state = 'pending' AND NOT EXISTS"
                    " (SELECT 1 FROM deliveries d WHERE d.alert_key = alerts.key)"
                    " ORDER BY created_at, id"
                )
            ]
            db.executemany(
                "INSERT INTO deliveries (alert_key, channel, next_try) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(key, channel, time_text(now)) for key in keys for channel in channels],
            )
        return len(keys)

    def due_deliveries(self, channels: Sequence[str], now: datetime) -> list[Delivery]:
        """Unsent deliveries on `channels` whose next try has come, most urgent first.

        Urgent alerts first, then the soonest deadline, then the oldest: a burst of ordinary
        alerts never holds back a proposal. An acknowledged alert is not sent, and one another
        process has claimed (and may be sending) is left to it.
        """
        if not channels:
            return []
        wanted = set(channels)
        at = time_text(now)
        rows = self._read(
            "SELECT a.key, a.order_id, a.rule, a.due, a.created_at, a.state, a.attempts,"
            " a.last_error, a.payload, d.channel AS channel, d.attempts AS tries"
            " FROM alerts a JOIN deliveries d ON d.alert_key = a.key"
            " WHERE d.state = 'pending' AND d.next_try <= ? AND a.state != 'acked'"
            " AND (d.claimed_until IS NULL OR d.claimed_until <= ?)"
            " ORDER BY coalesce(json_extract(a.payload, '$.urgent'), 0) DESC,"
            " a.due IS NULL, a.due, a.created_at, a.id, d.channel",
            (at, at),
        )
        return [
            Delivery(alert_of_row(row), row["channel"], int(row["tries"]))
            for row in rows
            if row["channel"] in wanted
        ]

    def claim(self, key: str, channel: str, owner: str, now: datetime, until: datetime) -> bool:
        """Claim one delivery for `owner` until `until`, only if it is unsent and unclaimed
        (or its claim ran out); True when this call claimed it and may send it."""
        with self._write() as db:
            changed = db.execute(
                "UPDATE deliveries SET claimed_by = ?, claimed_until = ?"
                " WHERE alert_key = ? AND channel = ? AND state = 'pending'"
                " AND (claimed_until IS NULL OR claimed_until <= ?)",
                (owner, time_text(until), key, channel, time_text(now)),
            ).rowcount
        return changed == 1

    def release_claims(self, owner: str | None = None) -> int:
        """Drop the claims of `owner` (every claim when None: the daemon lock is held, so no
        other process is sending); how many. A claim left by a killed process would otherwise
        hold its delivery back until it ran out."""
        with self._write() as db:
            return db.execute(
                "UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL"
                " WHERE claimed_by IS NOT NULL AND (? IS NULL OR claimed_by = ?)",
                (owner, owner),
            ).rowcount

    def alerted_groups(self) -> dict[tuple[str, str, datetime | None, bool], datetime]:
        """When each (order, rule claimed, deadline, verified) was last alerted: the memory
        rules.decide.once_per_deadline needs."""
        rows = self._read(
            "SELECT coalesce(json_extract(payload, '$.order_id'), ''),"
            " coalesce(json_extract(payload, '$.details.claimed_rule'), rule), due,"
            " coalesce(json_extract(payload, '$.verified'), 1), max(created_at)"
            " FROM alerts GROUP BY 1, 2, 3, 4"
        )
        return {
            (row[0], row[1], text_time(row[2]) if row[2] else None, bool(row[3])): text_time(row[4])
            for row in rows
        }

    def delivered(self, key: str, channel: str, now: datetime) -> bool:
        """Mark one delivery sent, only if it was not already (True then); the alert is sent
        once every one of its deliveries is.

        The record is checkpointed into the database file (base.Connected._checkpoint): a crash
        followed by the loss of the WAL must not make it go out again.
        """
        with self._write(checkpoint=True) as db:
            changed = db.execute(
                "UPDATE deliveries SET state = 'sent', attempts = attempts + 1, sent_at = ?,"
                " claimed_by = NULL, claimed_until = NULL"
                " WHERE alert_key = ? AND channel = ? AND state = 'pending'",
                (time_text(now), key, channel),
            ).rowcount
            db.execute(
                "UPDATE alerts SET state = 'sent', last_attempt_at = ?, attempts = attempts + 1"
                " WHERE key = ? AND state = 'pending' AND NOT EXISTS (SELECT 1 FROM deliveries"
                " WHERE alert_key = ? AND state = 'pending')",
                (time_text(now), key, key),
            )
        return changed == 1

    def delivery_failed(self, key: str, channel: str, error: str, retry_at: datetime) -> None:
        """Count a failed try and when to try again; `error` is cut short, never a secret."""
        with self._write() as db:
            db.execute(
                "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_try = ?,"
                " claimed_by = NULL, claimed_until = NULL"
                " WHERE alert_key = ? AND channel = ? AND state = 'pending'",
                (short_error(error), time_text(retry_at), key, channel),
            )

    def deliveries_of(self, key: str) -> dict[str, tuple[str, int]]:
        """channel -> (state, attempts) for one alert (for `check` and the tests)."""
        rows = self._read(
            "SELECT channel, state, attempts FROM deliveries WHERE alert_key = ?", (key,)
        )
        return {row["channel"]: (row["state"], int(row["attempts"])) for row in rows}

    def health(self, name: str) -> datetime | None:
        """A health mark's time (e.g. "last_check_ok"), or None when never set."""
        rows = self._read("SELECT value FROM health WHERE name = ?", (name,))
        return text_time(rows[0][0]) if rows else None

    def set_health(self, name: str, when: datetime) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO health (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, time_text(when)),
            )

"""The outbox per channel: each (alert, channel) pair is tried until sent, then never again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from daemon.store.alerts import Alert, alert_of_row
from daemon.store.base import Connected
from daemon.store.codec import short_error, text_time, time_text


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

        Run once per pass before sending: an alert is stored before any send (issue #5), and
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
        """Unsent deliveries on `channels` whose next try has come, oldest alert first."""
        if not channels:
            return []
        wanted = set(channels)
        rows = self._read(
            "SELECT a.key, a.order_id, a.rule, a.due, a.created_at, a.state, a.attempts,"
            " a.last_error, a.payload, d.channel AS channel, d.attempts AS tries"
            " FROM alerts a JOIN deliveries d ON d.alert_key = a.key"
            " WHERE d.state = 'pending' AND d.next_try <= ?"
            " ORDER BY a.created_at, a.id, d.channel",
            (time_text(now),),
        )
        return [
            Delivery(alert_of_row(row), row["channel"], int(row["tries"]))
            for row in rows
            if row["channel"] in wanted
        ]

    def delivered(self, key: str, channel: str, now: datetime) -> bool:
        """Mark one delivery sent, only if it was not already (True then); the alert is sent
        once every one of its deliveries is."""
        with self._write() as db:
            changed = db.execute(
                "UPDATE deliveries SET state = 'sent', attempts = attempts + 1, sent_at = ?"
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
                "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_try = ?"
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

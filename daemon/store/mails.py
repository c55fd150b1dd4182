"""Recording each examined mail, and the event it carried, in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from aliwatch.daemon.store.base import Connected
from aliwatch.daemon.store.codec import event_text, short_error, time_text
from aliwatch.parsers.event import Event, Kind

MailStatus = Literal["ok", "ignored", "failed"]
# A mail naming more orders than this makes none: it is kept, linked to no order, and raises one
# "suspicious" alert (a forged mail named 1,001 orders and made 1,001 orders and alerts). Real
# multi-order mail lists one cart's orders ("2 Bestellungen wurden bestätigt", see
# docs/aliexpress-mail.md).
MAX_ORDERS_PER_MAIL = 30
STATUSES: frozenset[str] = frozenset(get_args(MailStatus))


@dataclass(frozen=True, slots=True)
class MailKey:
    """Where a mail was read: the same key is the same mail (RFC 3501 UIDVALIDITY and UID)."""

    account: str
    folder: str
    uidvalidity: int
    uid: int


def message_key(event: Event, raw_digest: str) -> str:
    """What makes an event distinct: its Message-ID, else the sha256 of the mail's bytes."""
    message_id = (event.message_id or "").strip()
    return message_id or f"sha256:{raw_digest}"


class MailLog(Connected):
    """Every mail examined, and the events, orders and parcels it brought."""

    def record(
        self,
        key: MailKey,
        event: Event | None,
        *,
        raw_digest: str,
        status: MailStatus,
        error: str | None,
        now: datetime,
    ) -> bool:
        """Record one examined mail and its event, all or nothing; True when the event is new.

        A mail already recorded under `key` changes nothing. The event is kept for status "ok"
        unless it is `not_aliexpress` or its Message-ID (or, without one, `raw_digest`, the
        sha256 hex of the mail's bytes) is already stored: a replay or a UIDVALIDITY change
        adds no second event. `error` is cut short; it must never quote the mail.
        """
        if status not in STATUSES:
            raise ValueError(f"mail status {status!r} is not one of {sorted(STATUSES)}")
        if not raw_digest:
            raise ValueError("raw_digest is required: it keys mail without a Message-ID")
        examined = time_text(now)
        with self._write() as db:
            mail_id = _insert_mail(
                db, key, event, status=status, error=short_error(error), examined=examined
            )
            if mail_id is None or event is None or status != "ok":
                return False
            if event.kind is Kind.NOT_ALIEXPRESS:
                return False
            return _insert_event(db, mail_id, event, message_key(event, raw_digest), examined)

    def record_ignored(self, keys: Sequence[MailKey], *, now: datetime) -> int:
        """Record mails turned away by their headers alone, in one transaction; how many were new.

        One statement for a whole batch: most mail in a mailbox is not AliExpress's, and a
        transaction per mail was a fifth of a backfill (make bench). Keys already recorded are
        left as they are.
        """
        if not keys:
            return 0
        examined = time_text(now)
        rows = [(k.account, k.folder, k.uidvalidity, k.uid, examined) for k in keys]
        with self._write() as db:
            before = db.total_changes
            db.executemany(
                "INSERT INTO mails (account, folder, uidvalidity, uid, status, examined_at)"
                " VALUES (?, ?, ?, ?, 'ignored', ?)"
                " ON CONFLICT (account, folder, uidvalidity, uid) DO NOTHING",
                rows,
            )
            return db.total_changes - before

    def recorded_uids(self, account: str, folder: str, uidvalidity: int, uids: range) -> set[int]:
        """Which UIDs in `uids` (a span of one folder) have been examined before: one query."""
        rows = self._read(
            "SELECT uid FROM mails WHERE account = ? AND folder = ? AND uidvalidity = ?"
            " AND uid BETWEEN ? AND ?",
            (account, folder, uidvalidity, uids.start, uids.stop - 1),
        )
        return {int(row[0]) for row in rows}

    def is_recorded(self, key: MailKey) -> bool:
        """Has the mail at `key` been examined before?"""
        rows = self._read(
            "SELECT 1 FROM mails WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid = ?",
            (key.account, key.folder, key.uidvalidity, key.uid),
        )
        return bool(rows)

    def max_uid(self, account: str, folder: str, uidvalidity: int) -> int:
        """The highest UID examined in the folder under this UIDVALIDITY; 0 when none."""
        rows = self._read(
            "SELECT max(uid) FROM mails WHERE account = ? AND folder = ? AND uidvalidity = ?",
            (account, folder, uidvalidity),
        )
        return int(rows[0][0] or 0)


def _insert_mail(
    db: sqlite3.Connection,
    key: MailKey,
    event: Event | None,
    *,
    status: str,
    error: str | None,
    examined: str,
) -> int | None:
    """The new mail row's id, or None when `key` was already recorded."""
    row = db.execute(
        "INSERT INTO mails (account, folder, uidvalidity, uid, message_id, status, error,"
        " examined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (account, folder, uidvalidity, uid) DO NOTHING RETURNING id",
        (
            key.account,
            key.folder,
            key.uidvalidity,
            key.uid,
            event.message_id if event else None,
            status,
            error,
            examined,
        ),
    ).fetchone()
    return None if row is None else int(row[0])


def _insert_event(
    db: sqlite3.Connection, mail_id: int, event: Event, message: str, examined: str
) -> bool:
    """Store the event unless its message is known, with its orders and parcel; True if new."""
    sent_at = time_text(event.sent_at) if event.sent_at is not None else examined
    if event.parcel_id:
        db.execute(
            "INSERT INTO parcels (parcel_id, first_seen) VALUES (?, ?) ON CONFLICT (parcel_id)"
            " DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)",
            (event.parcel_id, sent_at),
        )
    row = db.execute(
        "INSERT INTO events (message_key, mail_id, kind, parcel_id, sent_at, event)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_key) DO NOTHING RETURNING id",
        (message, mail_id, event.kind.value, event.parcel_id, sent_at, event_text(event)),
    ).fetchone()
    if row is None:
        return False
    _link_orders(db, int(row[0]), event, sent_at)
    return True


def _link_orders(db: sqlite3.Connection, event_id: int, event: Event, sent_at: str) -> None:
    """Link the event, and its parcel, to each order it names (none past MAX_ORDERS_PER_MAIL)."""
    orders = list(dict.fromkeys(event.order_ids))
    if len(orders) > MAX_ORDERS_PER_MAIL:
        return
    for order_id in orders:
        db.execute(
            "INSERT INTO orders (order_id, first_seen) VALUES (?, ?) ON CONFLICT (order_id)"
            " DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)",
            (order_id, sent_at),
        )
        db.execute(
            "INSERT INTO event_orders (event_id, order_id) VALUES (?, ?)", (event_id, order_id)
        )
        if event.parcel_id:
            db.execute(
                "INSERT INTO parcel_orders (parcel_id, order_id) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                (event.parcel_id, order_id),
            )

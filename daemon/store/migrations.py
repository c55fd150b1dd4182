"""The database schema as numbered migrations; `PRAGMA user_version` counts those applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from aliwatch.daemon.store.errors import StoreError, wrapped

# Migration N (1-based) is MIGRATIONS[N - 1]. Append only: never edit one that has shipped.
MIGRATIONS: tuple[str, ...] = (
    # 1: mails examined, the events they carried, orders, parcels, alerts, acks and snoozes.
    """
    CREATE TABLE mails (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        message_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('ok', 'ignored', 'failed')),
        error TEXT,
        examined_at TEXT NOT NULL,
        UNIQUE (account, folder, uidvalidity, uid)
    );
    CREATE INDEX mails_message_id ON mails (message_id);

    CREATE TABLE parcels (
        parcel_id TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL
    );

    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        message_key TEXT NOT NULL UNIQUE,
        mail_id INTEGER NOT NULL REFERENCES mails (id),
        kind TEXT NOT NULL,
        parcel_id TEXT REFERENCES parcels (parcel_id),
        sent_at TEXT NOT NULL,
        event TEXT NOT NULL
    );
    CREATE INDEX events_kind ON events (kind);
    CREATE INDEX events_parcel ON events (parcel_id);

    CREATE TABLE orders (
        order_id TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL,
        watched INTEGER NOT NULL DEFAULT 0 CHECK (watched IN (0, 1)),
        watched_at TEXT,
        CHECK ((watched = 1) = (watched_at IS NOT NULL))
    );

    CREATE TABLE event_orders (
        event_id INTEGER NOT NULL REFERENCES events (id),
        order_id TEXT NOT NULL REFERENCES orders (order_id),
        PRIMARY KEY (event_id, order_id)
    ) WITHOUT ROWID;
    CREATE INDEX event_orders_order ON event_orders (order_id);

    CREATE TABLE parcel_orders (
        parcel_id TEXT NOT NULL REFERENCES parcels (parcel_id),
        order_id TEXT NOT NULL REFERENCES orders (order_id),
        PRIMARY KEY (parcel_id, order_id)
    ) WITHOUT ROWID;
    CREATE INDEX parcel_orders_order ON parcel_orders (order_id);

    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        order_id TEXT REFERENCES orders (order_id),
        rule TEXT NOT NULL,
        due TEXT,
        created_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sent', 'failed', 'acked')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_attempt_at TEXT,
        payload TEXT NOT NULL
    );
    CREATE INDEX alerts_state ON alerts (state);
    CREATE INDEX alerts_order ON alerts (order_id);

    CREATE TABLE acks (
        id INTEGER PRIMARY KEY,
        order_id TEXT NOT NULL REFERENCES orders (order_id),
        rule TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX acks_order ON acks (order_id);

    CREATE TABLE snoozes (
        order_id TEXT PRIMARY KEY REFERENCES orders (order_id),
        until TEXT NOT NULL
    );
    """,
    # 2: disputes, one row per order that has dispute mail (the store records disputes).
    # A view over the events, so a dispute can never disagree with the mail it comes from.
    """
    CREATE VIEW disputes AS
    SELECT eo.order_id AS order_id,
           min(CASE WHEN e.kind = 'dispute_opened' THEN e.sent_at END) AS opened_at,
           max(e.sent_at) AS last_at,
           (SELECT e2.kind FROM events e2 JOIN event_orders eo2 ON eo2.event_id = e2.id
             WHERE eo2.order_id = eo.order_id AND e2.kind IN (
                   'dispute_opened', 'seller_proposal', 'dispute_escalated', 'dispute_closed',
                   'return_required', 'refund_issued')
             ORDER BY e2.sent_at DESC, e2.id DESC LIMIT 1) AS last_kind,
           count(*) AS mails
      FROM events e JOIN event_orders eo ON eo.event_id = e.id
     WHERE e.kind IN ('dispute_opened', 'seller_proposal', 'dispute_escalated', 'dispute_closed',
                      'return_required', 'refund_issued')
     GROUP BY eo.order_id;
    """,
    # 3: the outbox per channel: an alert is fanned out to the channels configured
    # when it is first delivered, one row each, sent once; and the daemon's health marks (the
    # last successful mailbox check, for the dead-man alert).
    """
    CREATE TABLE deliveries (
        alert_key TEXT NOT NULL REFERENCES alerts (key),
        channel TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try TEXT NOT NULL,
        last_error TEXT,
        sent_at TEXT,
        PRIMARY KEY (alert_key, channel)
    );
    CREATE INDEX deliveries_pending ON deliveries (state, next_try);
    CREATE TABLE health (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 4: a delivery is claimed before it is sent (by whom, until when), so no two processes send
    # it: the claim is a conditional update, and only the one that made it sends.
    """
    ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
    ALTER TABLE deliveries ADD COLUMN claimed_until TEXT;
    """,
    # 5: the disputes view goes: nothing read it (an order's dispute is its phase, rules/phase.py).
    """
    DROP VIEW IF EXISTS disputes;
    """,
    # 6: an alert recorded as sent without being sent, and why: one a store rebuilt from the
    # mailbox found already due at its first pass (daemon/alerts/evaluate.py, catch-up).
    """
    ALTER TABLE alerts ADD COLUMN skipped TEXT;
    """,
)


def version(db: sqlite3.Connection) -> int:
    """The number of migrations applied to the database."""
    (number,) = db.execute("PRAGMA user_version").fetchone()
    return int(number)


def statements(script: str) -> list[str]:
    """The SQL statements of a script, split where SQLite sees a complete statement."""
    found: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {pending.strip()}")
    return found


def migrate(db: sqlite3.Connection, upto: int | None = None, *, where: Path | None = None) -> int:
    """Apply the migrations up to number `upto` (None: all), each in its own transaction.

    Returns the version reached. Idempotent: applied migrations are skipped, so opening a
    database twice changes nothing. `db` must be in autocommit mode (isolation_level=None). A
    database from a newer aliwatch (a version above the known migrations) raises StoreError
    rather than being touched.
    """
    known = len(MIGRATIONS)
    upto = known if upto is None else upto
    if not 0 <= upto <= known:
        raise ValueError(f"no migration {upto}: there are {known}")
    try:
        current = version(db)
        if current > known:
            raise StoreError(f"database schema version {current} is newer than aliwatch's {known}")
        for number in range(current + 1, upto + 1):
            _apply(db, number)
        return version(db)
    except sqlite3.Error as err:
        raise wrapped("cannot migrate the database", err, where) from err


def _apply(db: sqlite3.Connection, number: int) -> None:
    if version(db) >= number:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have just migrated.
        if version(db) < number:
            for statement in statements(MIGRATIONS[number - 1]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number:d}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise

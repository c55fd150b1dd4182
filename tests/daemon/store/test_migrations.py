"""Numbered migrations: applied once each, in order, each in its own transaction."""

from __future__ import annotations

import sqlite3

import pytest

from aliwatch.daemon.store import Store, StoreError, migrations
from aliwatch.daemon.store.migrations import MIGRATIONS, migrate, version
from tests.daemon.store.conftest import NOW, fixture, key

TABLES = {
    "mails",
    "events",
    "orders",
    "event_orders",
    "parcels",
    "parcel_orders",
    "alerts",
    "acks",
    "snoozes",
    "deliveries",
    "health",
}


def connect(path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def tables(path) -> set[str]:
    db = connect(path)
    try:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {row[0] for row in rows}
    finally:
        db.close()


def user_version(path) -> int:
    db = connect(path)
    try:
        return version(db)
    finally:
        db.close()


def test_a_fresh_database_gets_every_migration(db_path):
    Store.open(db_path).close()
    assert user_version(db_path) == len(MIGRATIONS)
    assert tables(db_path) == TABLES


def test_a_database_one_migration_behind_is_upgraded(db_path):
    db_path.parent.mkdir()
    db = connect(db_path)
    assert migrate(db, upto=len(MIGRATIONS) - 1) == len(MIGRATIONS) - 1
    db.close()
    Store.open(db_path).close()
    assert user_version(db_path) == len(MIGRATIONS)
    assert tables(db_path) == TABLES


def test_reopening_changes_nothing_and_keeps_the_data(db_path):
    event, digest = fixture("order/order_shipped_en.eml")
    with Store.open(db_path) as store:
        store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    with Store.open(db_path) as store:
        assert store.is_recorded(key(1))
        assert store.order_ids() == list(event.order_ids)
    assert user_version(db_path) == len(MIGRATIONS)


def test_a_failing_migration_leaves_nothing_of_itself(db_path, monkeypatch):
    Store.open(db_path).close()
    broken = "CREATE TABLE half_done (a INTEGER);\nINSERT INTO no_such_table VALUES (1);\n"
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, broken))
    with pytest.raises(StoreError):
        Store.open(db_path)
    assert user_version(db_path) == len(MIGRATIONS)
    assert "half_done" not in tables(db_path)


def test_a_database_from_a_newer_aliwatch_is_refused(db_path):
    Store.open(db_path).close()
    db = connect(db_path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(db_path)


def test_statements_split_where_sqlite_sees_an_end():
    script = "CREATE TABLE a (x TEXT DEFAULT ';');\nCREATE TABLE b (y);\n"
    assert migrations.statements(script) == [
        "CREATE TABLE a (x TEXT DEFAULT ';');",
        "CREATE TABLE b (y);",
    ]

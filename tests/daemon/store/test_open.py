"""Opening the database: private files, WAL mode, and StoreError for every failure."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from aliwatch.daemon.store import Store, StoreError
from tests.daemon.store.conftest import NOW, fixture, key


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_file_is_created_readable_by_its_owner_only(db_path):
    Store.open(db_path).close()
    assert mode(db_path) == 0o600


def test_missing_folders_are_created_private(db_path):
    Store.open(db_path).close()
    assert mode(db_path.parent) == 0o700


def test_the_write_ahead_log_is_as_private_as_the_database(store, db_path):
    event, digest = fixture("order/order_shipped_en.eml")
    store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    assert mode(db_path.with_name(db_path.name + "-wal")) == 0o600


def test_the_database_is_in_wal_mode(store, db_path):
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_a_path_under_a_file_raises_store_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as caught:
        Store.open(blocker / "aliwatch.db")
    assert isinstance(caught.value.__cause__, OSError)


def test_a_file_that_is_not_a_database_raises_store_error_not_sqlite_error(tmp_path):
    path = tmp_path / "aliwatch.db"
    path.write_bytes(b"this is not an SQLite database, just some text" * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def test_the_context_manager_closes_the_database(db_path):
    with Store.open(db_path) as store:
        pass
    with pytest.raises(StoreError):
        store.order_ids()


def test_a_naive_time_is_refused(store):
    event, digest = fixture("order/order_shipped_en.eml")
    with pytest.raises(ValueError, match="naive"):
        store.record(
            key(1), event, raw_digest=digest, status="ok", error=None, now=NOW.replace(tzinfo=None)
        )


def test_wal_with_synchronous_normal(tmp_path):
    with Store.open(tmp_path / "s.db") as store:
        rows = store._read("PRAGMA synchronous")
    assert rows[0][0] == 1  # NORMAL

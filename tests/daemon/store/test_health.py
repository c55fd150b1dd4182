"""A damaged or missing database: `health_of` looks read-only, errors say how to recover."""

from __future__ import annotations

import os
import sqlite3

import pytest

from aliwatch.daemon.config.errors import ConfigError
from aliwatch.daemon.store import (
    Store,
    StoreDamagedError,
    StoreMissingError,
    health_of,
)
from tests.daemon.store.conftest import NOW, fixture, key


def filled(db_path):
    with Store.open(db_path) as store:
        for uid, name in enumerate(("order/order_shipped_en.eml",), start=1):
            event, digest = fixture(name)
            store.record(key(uid), event, raw_digest=digest, status="ok", error=None, now=NOW)
        for number in range(300):  # pages enough that half the file cuts through tables
            store.add_alert(f"k{number}", order_id=None, rule="digest", due=None,
                            payload={"n": "x" * 200}, now=NOW)  # fmt: skip
    return db_path


def test_a_sound_database_is_healthy_and_left_unchanged(db_path):
    filled(db_path)
    before = db_path.read_bytes()
    assert health_of(db_path) is None
    assert db_path.read_bytes() == before


def test_no_database_yet_is_not_a_fault(tmp_path):
    assert health_of(tmp_path / "none.db") is None
    assert not (tmp_path / "none.db").exists()


def test_a_truncated_database_is_damaged_with_the_path_and_the_steps(db_path):
    filled(db_path)
    os.truncate(db_path, db_path.stat().st_size // 2)
    problem = health_of(db_path)
    assert problem is not None
    assert str(db_path) in problem
    assert "malformed" in problem or "damaged" in problem
    assert "To recover: stop the service" in problem
    with pytest.raises(StoreDamagedError) as caught:
        Store.open(db_path)
    assert f"mv {db_path} {db_path}.broken" in str(caught.value)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_a_file_that_is_no_database_is_damaged(tmp_path):
    path = tmp_path / "aliwatch.db"
    path.write_bytes(b"this is not an SQLite database, just some text" * 100)
    assert "To recover" in (health_of(path) or "")


def test_a_missing_database_is_not_created_when_only_read(tmp_path):
    path = tmp_path / "state" / "aliwatch.db"
    with pytest.raises(StoreMissingError) as caught:
        Store.open(path, create=False)
    assert isinstance(caught.value, ConfigError)  # exit status 2
    assert str(caught.value).startswith(f"no database at {path}; is ALIWATCH_DB_PATH right?")
    assert not path.parent.exists()


def test_a_deleted_or_replaced_database_is_noticed(db_path, tmp_path):
    with Store.open(db_path) as store:
        assert store.replaced() is None
        db_path.unlink()
        assert store.replaced() == (
            f"the database {db_path} was deleted while aliwatch had it open"
        )
        other = tmp_path / "other.db"
        Store.open(other).close()
        other.rename(db_path)
        assert "was replaced by another file" in (store.replaced() or "")

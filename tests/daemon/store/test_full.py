"""A full disk under the store: StoreFullError (room may come back), and nothing half-written."""

from __future__ import annotations

import pytest

from aliwatch.daemon.store import Store, StoreError, StoreFullError
from tests.daemon.store.conftest import fixture, key
from tests.support import NOW, fill, small_tmpfs


def test_writes_on_a_full_disk_raise_store_full_and_work_again_once_there_is_room(tmp_path):
    event, digest = fixture("order/order_shipped_en.eml")
    with small_tmpfs(tmp_path / "disk") as disk, Store.open(disk / "state.db") as store:
        store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
        filler = fill(disk)
        with pytest.raises(StoreFullError):
            for uid in range(2, 2000):  # until the WAL needs a page more than there is
                store.record(key(uid), None, raw_digest=f"{uid:064d}", status="failed",
                             error="x" * 500, now=NOW)  # fmt: skip
        recorded = store.recorded_uids("buyer@example.org", "INBOX", 1, range(1, 2000))
        filler.unlink()
        store.record(key(5000), None, raw_digest="5" * 64, status="failed", error="x", now=NOW)
        assert store.recorded_uids("buyer@example.org", "INBOX", 1, range(1, 6000)) == {
            *recorded,
            5000,
        }


def test_opening_on_a_full_disk_says_so(tmp_path):
    with small_tmpfs(tmp_path / "disk") as disk:
        fill(disk)
        with pytest.raises(StoreFullError, match="full"):
            Store.open(disk / "state.db")


def test_other_failures_are_not_taken_for_a_full_disk(tmp_path):
    (tmp_path / "state.db").mkdir()  # a folder where the file should be
    with pytest.raises(StoreError) as raised:
        Store.open(tmp_path / "state.db")
    assert not isinstance(raised.value, StoreFullError)

"""Replaying real mail in any order, under a new UIDVALIDITY, changes no state and no row."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from aliwatch.daemon.store import Store
from aliwatch.rules.state import OrderState, fold
from tests.daemon.store.conftest import FIXTURES, MAILBOX, NOW, key, real_mail

# The sample mailbox's four order stories, and the fixture corpus beside them.
MAILS = [real_mail(p) for p in sorted(MAILBOX.glob("*/*.demo*"))] + [
    real_mail(p) for p in sorted(FIXTURES.rglob("*.eml"))
]

# Every row that matters, without row ids, mail links or examination times.
DUMP = {
    "events": "SELECT message_key, kind, parcel_id, sent_at, event FROM events",
    "event_orders": "SELECT e.message_key, eo.order_id FROM event_orders eo"
    " JOIN events e ON e.id = eo.event_id",
    "orders": "SELECT order_id, first_seen, watched FROM orders",
    "parcels": "SELECT parcel_id, first_seen FROM parcels",
    "parcel_orders": "SELECT parcel_id, order_id FROM parcel_orders",
}


def record(store: Store, mails: list[int], uidvalidity: int) -> None:
    for uid, index in enumerate(mails, start=1):
        event, digest = MAILS[index]
        store.record(
            key(uid, uidvalidity), event, raw_digest=digest, status="ok", error=None, now=NOW
        )


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        return {table: sorted(db.execute(sql).fetchall()) for table, sql in DUMP.items()}
    finally:
        db.close()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(range(len(MAILS))), unique=True, max_size=40), st.randoms())
def test_recording_mails_twice_shuffled_gives_the_same_states_and_rows(mails, rng):
    first, second = list(mails), list(mails)
    rng.shuffle(first)
    rng.shuffle(second)
    with tempfile.TemporaryDirectory() as folder:
        once, twice = Path(folder, "once.db"), Path(folder, "twice.db")
        with Store.open(once) as store:
            record(store, mails, uidvalidity=1)
            expected = states(store)
        with Store.open(twice) as store:
            record(store, first, uidvalidity=1)
            record(store, second, uidvalidity=2)  # the server reset its UIDs: a full replay
            assert states(store) == expected
        assert dump(twice) == dump(once)
        assert len(dump(twice)["events"]) == len(mails) - _not_kept(mails)
    # No mail of the corpus names a parcel without its order: an order's events name it.
    events = [MAILS[i][0] for i in mails]
    for order, state in expected.items():
        mine = [(e, e.sent_at) for e in events if order in e.order_ids]
        assert state == fold(order, mine)


def states(store: Store) -> dict[str, OrderState]:
    return {order: store.order_state(order) for order in store.order_ids()}


def _not_kept(mails: list[int]) -> int:
    return sum(1 for i in mails if MAILS[i][0].kind.value == "not_aliexpress")

"""The store keeps each order's dispute as its mail tells it: the phase its events fold to."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from aliwatch.daemon.sources.ingest import ingest
from aliwatch.daemon.sources.inputs import iter_inputs
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy
from aliwatch.parsers.event import Kind
from aliwatch.rules.phase import Phase, phase
from tests.support import MAILBOX


def test_a_disputed_order_has_its_dispute_and_others_have_none(tmp_path):
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    with Store.open(tmp_path / "db.sqlite") as store:
        ingest(store, iter_inputs([str(MAILBOX)], sys.stdin.buffer), now, AuthPolicy(), account="t")
        disputed = store.order_state("8200000000000303")
        assert phase(disputed) is Phase.PROPOSAL_WAITING
        assert disputed.first[Kind.DISPUTE_OPENED] < disputed.last[Kind.SELLER_PROPOSAL]
        other = store.order_state("8200000000000101")
        assert not any(other.seen(kind) for kind in (Kind.DISPUTE_OPENED, Kind.SELLER_PROPOSAL))


def test_the_disputes_view_nothing_read_is_gone(tmp_path):
    with Store.open(tmp_path / "db.sqlite") as store:
        views = store._read("SELECT name FROM sqlite_master WHERE type = 'view'")
    assert list(views) == []

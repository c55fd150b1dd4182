"""The store records each order's dispute, derived from its dispute mail."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from daemon.sources.ingest import ingest
from daemon.sources.inputs import iter_inputs
from daemon.store import Store
from parsers import AuthPolicy
from parsers.event import Kind

MAILBOX = Path(__file__).resolve().parents[2] / "examples" / "mailbox"


def test_a_disputed_order_has_its_dispute_and_others_have_none(tmp_path):
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    with Store.open(tmp_path / "db.sqlite") as store:
        ingest(store, iter_inputs([str(MAILBOX)], sys.stdin.buffer), now, AuthPolicy(), account="t")
        dispute = store.dispute("8200000000000303")
        assert dispute is not None
        assert dispute.last_kind is Kind.SELLER_PROPOSAL
        assert dispute.opened_at is not None and dispute.opened_at < dispute.last_at
        assert dispute.mails == 2
        assert store.dispute("8200000000000101") is None

"""The sample mailbox of `make demo` tells its stories: every mail keeps its intended meaning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aliwatch.parsers import recognise
from tests.support import MAILBOX

# (file, kind, order ids) as the stories in examples/README.md intend them.
STORY = [
    ("cur/1788369247.M1P100.demo:2,S", "order_confirmed", ["8200000000000101"]),
    ("cur/1788517366.M2P100.demo:2,S", "order_shipped", ["8200000000000101"]),
    ("cur/1788829518.M3P100.demo:2,S", "parcel_update", ["8200000000000101"]),
    ("cur/1789028314.M4P100.demo:2,S", "order_confirmed", ["8200000000000202"]),
    ("cur/1789211034.M5P100.demo:2,S", "order_shipped", ["8200000000000202"]),
    ("cur/1789393259.M6P100.demo:2,S", "parcel_update", ["8200000000000101"]),
    ("cur/1789528269.M7P100.demo:2,S", "parcel_update", ["8200000000000202"]),
    ("cur/1789581745.M8P100.demo:2,S", "parcel_update", ["8200000000000101"]),
    ("cur/1789810582.M9P100.demo:2,S", "order_shipped", ["8200000000000202"]),
    ("cur/1790026059.M10P100.demo:2,S", "parcel_delivered", ["8200000000000101"]),
    ("cur/1790175517.M11P100.demo:2,S", "parcel_update", ["8200000000000202"]),
    ("cur/1790277651.M12P100.demo:2,S", "parcel_update", ["8200000000000202"]),
    ("cur/1790712268.M13P100.demo:2,S", "parcel_delivered", ["8200000000000202"]),
    ("cur/1790872215.M14P100.demo:2,S", "awaiting_confirmation", ["8200000000000101"]),
    ("cur/1790944880.M15P100.demo:2,S", "order_shipped", ["8200000000000303"]),
    ("cur/1791330354.M16P100.demo:2,S", "delivery_confirmed", ["8200000000000101"]),
    ("cur/1791346603.M17P100.demo:2,S", "parcel_update", ["8200000000000303"]),
    ("cur/1795025255.M18P100.demo:2,S", "dispute_opened", ["8200000000000303"]),
    ("cur/1795091177.M19P100.demo:2,S", "order_confirmed", ["8200000000000404"]),
    ("cur/1795193398.M20P100.demo:2,S", "cancellation_requested", ["8200000000000404"]),
    ("new/1795679538.M21P100.demo", "seller_proposal", ["8200000000000303"]),
    ("new/1795683832.M22P100.demo", "seller_message", ["8200000000000303"]),
]


@pytest.mark.parametrize(("name", "kind", "orders"), STORY, ids=[s[0] for s in STORY])
def test_demo_mail_keeps_its_meaning(name, kind, orders):
    event = recognise((MAILBOX / name).read_bytes())
    assert (event.kind.value, list(event.order_ids), event.authentic) == (kind, orders, True)


def test_every_demo_mail_is_in_the_story():
    files = sorted(str(p.relative_to(MAILBOX)) for p in MAILBOX.rglob("*") if p.is_file())
    assert [f for f in files if not f.endswith(".gitkeep")] == sorted(s[0] for s in STORY)


def test_the_zero_refund_proposal_shows_its_amount_and_deadline():
    event = recognise((MAILBOX / "new/1795679538.M21P100.demo").read_bytes())
    assert (str(event.amount), event.currency) == ("0.00", "USD")
    assert event.deadline == datetime(2026, 12, 4, 7, 59, tzinfo=UTC)


def test_the_sellers_chat_message_is_flagged_as_pressure_and_the_dispute_mail_is_not():
    chat = recognise((MAILBOX / "new/1795683832.M22P100.demo").read_bytes())
    dispute = recognise((MAILBOX / "cur/1795025255.M18P100.demo:2,S").read_bytes())
    assert chat.pressure
    assert not dispute.pressure  # AliExpress's own "don't close the dispute" advice

"""The Event holds typed times and amounts; its JSON keeps the text the contract has (README)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from aliwatch.parsers.event import Event, Kind

DUE = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)
SENT = datetime(2026, 11, 20, 9, 2, 3, tzinfo=UTC)


def proposal(**fields) -> Event:
    return Event(Kind.SELLER_PROPOSAL, order_ids=("8200000000000101",), **fields)


def test_json_writes_utc_times_with_z_and_amounts_with_their_digits():
    data = proposal(amount=Decimal("12.50"), currency="USD", deadline=DUE, sent_at=SENT).to_json()
    assert (data["amount"], data["deadline"], data["sent_at"]) == (
        "12.50",
        "2026-12-04T07:59:00Z",
        "2026-11-20T09:02:03Z",
    )
    assert data["order_ids"] == ["8200000000000101"]


def test_json_of_an_event_without_times_or_amount_has_nulls():
    data = Event(Kind.PROMOTION).to_json()
    assert (data["amount"], data["deadline"], data["sent_at"]) == (None, None, None)


@pytest.mark.parametrize("amount", ["0.00", "12.5", "12.50", "1234", "1234.56"])
def test_json_text_comes_back_as_the_same_event_and_the_same_text(amount):
    event = proposal(amount=Decimal(amount), currency="EUR", deadline=DUE, sent_at=SENT)
    text = json.dumps(event.to_json(), sort_keys=True)
    back = Event.from_json(json.loads(text))
    assert back == event
    assert json.dumps(back.to_json(), sort_keys=True) == text
    assert isinstance(back.amount, Decimal) and isinstance(back.deadline, datetime)


def test_a_time_in_another_zone_is_held_and_written_in_utc():
    berlin = DUE.astimezone(timezone(timedelta(hours=1)))
    event = proposal(deadline=berlin)
    assert event.deadline == DUE and event.deadline.tzinfo is UTC
    assert event.to_json()["deadline"] == "2026-12-04T07:59:00Z"


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        proposal(sent_at=SENT.replace(tzinfo=None))


@pytest.mark.parametrize(
    "fields",
    [{"deadline": "2026-12-04T07:59:00Z"}, {"sent_at": "2026-11-20T09:02:03Z"}, {"amount": "0.00"}],
)
def test_the_wire_strings_are_refused_where_typed_values_belong(fields):
    with pytest.raises(TypeError):
        proposal(**fields)


def test_unreadable_json_values_are_a_value_error():
    good = proposal(amount=Decimal("1.00"), deadline=DUE).to_json()
    for name, value in (("amount", "one dollar"), ("deadline", "soon"), ("sent_at", "2026-11-20")):
        with pytest.raises(ValueError):
            Event.from_json({**good, name: value})

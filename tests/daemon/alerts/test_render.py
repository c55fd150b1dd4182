"""Deadlines are shown as absolute local times with a countdown; alerts say what to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from aliwatch.daemon.alerts.render import (
    alert_text,
    countdown,
    local_time,
    order_json,
    status_table,
)
from aliwatch.parsers.event import Kind as K
from aliwatch.rules.deadlines import deadlines
from aliwatch.rules.decide import Marks, decide
from aliwatch.rules.policy import Policy
from aliwatch.rules.state import fold
from tests.rules.test_state import ORDER, T0, ev

PACIFIC = ZoneInfo("America/Los_Angeles")
DUE = datetime(2026, 12, 4, 7, 59, tzinfo=UTC)


def test_local_time_names_the_day_and_zone():
    assert local_time(DUE, PACIFIC) == "Thu 3 Dec 2026 23:59 PST"


def test_countdown_reads_forward_and_back():
    assert countdown(DUE, DUE - timedelta(days=6, hours=4)) == "in 6 d 4 h"
    assert countdown(DUE, DUE - timedelta(minutes=45)) == "in 45 min"
    assert countdown(DUE, DUE + timedelta(days=2)) == "2 d ago"


def test_proposal_alert_shows_deadline_amounts_advice_and_link():
    events = [
        ev(K.ORDER_CONFIRMED, 1, amount=Decimal("23.40"), currency="USD"),
        ev(K.DISPUTE_OPENED, 40),
        ev(
            K.SELLER_PROPOSAL,
            42,
            amount=Decimal("0.00"),
            currency="USD",
            deadline=datetime(2026, 12, 4, 7, 59, tzinfo=UTC),
        ),
    ]
    now = T0 + timedelta(days=42, hours=1)
    (decision,) = decide(fold(ORDER, events), now, Policy(), Marks())
    text = alert_text(decision, now, PACIFIC)
    assert "Deadline: Thu 3 Dec 2026 23:59 PST (in " in text
    assert "Proposed refund: 0.00 USD (you paid 23.40 USD)" in text
    assert "reject it at once" in text
    assert f"orderId={ORDER}" in text


def test_status_json_lists_phase_parcels_and_next_deadline():
    state = fold(ORDER, [ev(K.ORDER_SHIPPED, 3, parcel_id="LP1")])
    data = order_json(state, deadlines(state, Policy()))
    assert data["phase"] == "shipped"
    assert data["parcels"][0]["parcel_id"] == "LP1"
    assert data["next_deadline"] == data["deadlines"][0]["due"]


def test_status_table_colours_only_urgent_rows_and_only_when_asked():
    state = fold(ORDER, [ev(K.DISPUTE_OPENED, 40)])  # seller reply due on day 45
    rows = [(state, deadlines(state, Policy()))]
    soon = T0 + timedelta(days=44, hours=12)
    assert "\x1b[31m" in status_table(rows, soon, PACIFIC, colour=True)
    assert "\x1b[" not in status_table(rows, soon, PACIFIC, colour=False)

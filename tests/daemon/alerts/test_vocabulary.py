"""One alert vocabulary: every rule an alert can carry has its headline, advice and action, and
every deadline rule can be exported to the calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aliwatch.daemon.alerts.calendar import build_calendar
from aliwatch.daemon.alerts.wording import ACTION
from aliwatch.daemon.cli.commands import ALERT_RULES
from aliwatch.rules.advice import ADVICE, HEADLINE
from aliwatch.rules.deadlines import Deadline, Rule

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
# aliwatch's own alerts (daemon/alerts/housekeeping.py, `check --send-test-alert`).
OWN = {"login_refused", "reply_unusable", "stale", "recovered", "digest", "drift", "test"}


def test_every_order_rule_has_a_headline_advice_and_an_action():
    assert set(ALERT_RULES) >= {rule.value for rule in Rule}
    for rule in ALERT_RULES:
        assert rule in HEADLINE and rule in ADVICE and rule in ACTION, rule


def test_every_alert_of_aliwatchs_own_has_an_action():
    assert set(ACTION) >= OWN
    assert set(ACTION) == set(ALERT_RULES) | OWN


def test_every_deadline_rule_goes_into_the_calendar():
    items = [("8200000000000303", Deadline(rule, NOW + timedelta(days=3))) for rule in Rule]
    text = build_calendar(items, NOW).decode()
    assert text.count("BEGIN:VEVENT") == len(Rule)
    for rule in Rule:
        assert ACTION[rule] in text.replace("\r\n ", "")

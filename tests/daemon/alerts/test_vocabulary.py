"""One alert vocabulary: every alert kind has its words, the code raises only those kinds, the
words' fields are the ones the code fills, and every deadline rule reaches the calendar."""

from __future__ import annotations

import ast
import string
from datetime import timedelta

from aliwatch.daemon.alerts.calendar import build_calendar
from aliwatch.daemon.alerts.housekeeping import own_decision
from aliwatch.daemon.cli.commands import ALERT_RULES
from aliwatch.rules.alerts import COPY, DEADLINE_RULES, ORDER_ALERTS, AlertKind
from aliwatch.rules.deadlines import Deadline
from aliwatch.rules.urgency import ALWAYS_URGENT
from tests.support import NOW, REPO


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_alert_kind_has_a_headline_an_action_and_advice():
    assert set(COPY) == set(AlertKind)
    for kind, copy in COPY.items():
        assert copy.headline.strip() and copy.action.strip() and copy.advice.strip(), kind
        assert len(copy.action) <= 60, kind  # it heads a subject that also names a date and order


def test_alerts_about_an_order_take_their_words_as_written():
    # rules/decide.py uses them verbatim: a `{field}` there would reach the buyer unfilled.
    for kind in ORDER_ALERTS:
        assert not _fields(COPY[kind].headline + COPY[kind].advice), kind


def test_aliwatchs_own_alerts_fill_every_field_of_their_words():
    own = [kind for kind in AlertKind if not kind.about_an_order]
    assert own
    for kind in own:
        names = _fields(COPY[kind].headline + COPY[kind].advice)
        decision = own_decision(kind, "k", NOW, **dict.fromkeys(names, "X"))
        assert "{" not in decision.headline + decision.advice, kind


def test_ack_accepts_every_order_alert_and_every_deadline_rule():
    assert tuple(k.value for k in ORDER_ALERTS) == ALERT_RULES
    assert set(DEADLINE_RULES) <= set(ORDER_ALERTS)
    assert set(AlertKind) >= ALWAYS_URGENT


# The same words meaning something else: an Event's field, a log event, a Phase.
NOT_ALERT_KINDS = {
    ("daemon/cli/parse.py", "attention"),
    ("daemon/cli/unknown.py", "attention"),
    ("daemon/service/runner.py", "login_refused"),
    ("rules/phase.py", "proposal_waiting"),
    ("rules/phase.py", "awaiting_confirmation"),
}


def test_no_alert_kind_is_spelt_as_a_bare_string_in_the_code():
    # An alert kind written as "proposal_waiting" escapes the enum and its completeness test.
    values = {k.value for k in AlertKind}
    found = []
    for folder in ("daemon", "rules"):
        for path in (REPO / folder).rglob("*.py"):
            where = path.relative_to(REPO).as_posix()
            if where == "rules/alerts.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Constant)
                    and node.value in values
                    and (where, node.value) not in NOT_ALERT_KINDS
                ):
                    found.append(f"{where}:{node.lineno} {node.value!r}")
    assert found == []


def test_every_deadline_rule_goes_into_the_calendar():
    items = [
        ("8200000000000303", Deadline(rule, NOW + timedelta(days=3))) for rule in DEADLINE_RULES
    ]
    text = build_calendar(items, NOW).decode()
    assert text.count("BEGIN:VEVENT") == len(DEADLINE_RULES)
    for rule in DEADLINE_RULES:
        assert COPY[rule].action in text.replace("\r\n ", "")

"""Forged mail, every way the audit found: only flagged alerts, and a genuine order unmoved.

Each case starts from a genuine proposal (dkim=pass from the provider's topmost header, respond
before 3 Dec) and adds one mail about the same order that must not be believed. The genuine
order's phase and deadlines stay as they were, every alert the forged mail raises is flagged
in its subject and first line, and the genuine reminders still come.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from aliwatch.daemon.alerts.evaluate import evaluate, open_orders
from aliwatch.daemon.alerts.render import alert_text
from aliwatch.daemon.alerts.wording import subject
from aliwatch.daemon.sources.ingest import ingest
from aliwatch.daemon.sources.inputs import Input
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy
from aliwatch.rules.phase import phase
from aliwatch.rules.policy import Policy
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "dispute"
GENUINE = (FIXTURES / "seller_proposal_en_deadline.eml").read_bytes()
CLOSED = (FIXTURES / "dispute_closed_en.eml").read_bytes()
ORDER = "8200731904456128"
DUE = datetime(2025, 12, 4, 7, 59, 59, tzinfo=UTC)
SEEN = datetime(2025, 11, 29, 12, tzinfo=UTC)
LATER = SEEN + timedelta(hours=6)
PROVIDER = "mx.example.net"
_AR = re.compile(rb"^Authentication-Results:.*?\n(?=\S)", re.MULTILINE | re.DOTALL)


def with_headers(mail: bytes, results: list[str], *, sender: str | None = None) -> bytes:
    """The mail as a forger sends it: another Message-ID, and these Authentication-Results."""
    mail = _AR.sub(b"", mail)
    mail = mail.replace(b"Message-ID: <", b"Message-ID: <forged-", 1)
    mail = mail.replace(b"Sat, 29 Nov 2025 02:17:45", b"Sat, 29 Nov 2025 03:17:45")
    if sender is not None:
        mail = re.sub(rb"(?m)^From: .*$", f"From: {sender}".encode(), mail, count=1)
    top = "".join(f"Authentication-Results: {value}\n" for value in results).encode()
    return top + mail


def later_deadline(mail: bytes) -> bytes:
    return mail.replace(b"2025-12-03 23:59:59 PST", b"2025-12-21 23:59:59 PST")


def closed_for_the_genuine_order(results: list[str]) -> bytes:
    mail = re.sub(rb"8200508831247765", ORDER.encode(), CLOSED)
    mail = mail.replace(b"Sun, 07 Dec 2025 19:55:02", b"Sat, 29 Nov 2025 04:00:00")
    return with_headers(mail, results)


FAIL = f"{PROVIDER}; dkim=fail header.d=notice.aliexpress.com"
CASES = {
    "dkim=fail": (later_deadline(with_headers(GENUINE, [FAIL])), frozenset()),
    "no Authentication-Results": (later_deadline(with_headers(GENUINE, [])), frozenset()),
    "a forged trusted header below the provider's": (
        later_deadline(
            with_headers(GENUINE, [FAIL, f"{PROVIDER}; dkim=pass header.d=notice.aliexpress.com"])
        ),
        frozenset({PROVIDER}),
    ),
    "header.i for aliexpress, header.d another domain": (
        later_deadline(
            with_headers(
                GENUINE,
                [f"{PROVIDER}; dkim=pass header.i=@notice.aliexpress.com header.d=evil.example"],
            )
        ),
        frozenset(),
    ),
    "AliExpress's address as the display name": (
        with_headers(
            GENUINE,
            [f"{PROVIDER}; dkim=pass header.d=evil.example"],
            sender='"transaction@notice.aliexpress.com" <notice@evil.example>',
        ),
        frozenset(),
    ),
    "a look-alike domain": (
        with_headers(
            GENUINE,
            [f"{PROVIDER}; dkim=pass header.d=notice.aliexpress.com.evil.example"],
            sender="AliExpress <transaction@notice.aliexpress.com.evil.example>",
        ),
        frozenset(),
    ),
    "a look-alike domain with a hyphen": (
        with_headers(
            GENUINE,
            [f"{PROVIDER}; dkim=pass header.d=aliexpress-notice.com"],
            sender="AliExpress <transaction@aliexpress-notice.com>",
        ),
        frozenset(),
    ),
    "a forged later deadline": (later_deadline(with_headers(GENUINE, [FAIL])), frozenset()),
    "a forged close": (closed_for_the_genuine_order([FAIL]), frozenset()),
}


FLAGGED = ("Unverified mail claims", "Likely phishing", "Suspicious")


def genuine_order(store: Store, policy: Policy) -> list[object]:
    """The genuine order's state, phase and deadlines, as status shows them."""
    rows = open_orders(store, policy, everything=True)
    # The forged mail is remembered beside the state (`claims`), never in it.
    bare = [(replace(s, claims=(), unverified=frozenset()), d) for s, d in rows]
    return [(s, phase(s), d) for s, d in bare if s.order_id == ORDER]


def load(store: Store, mails: list[bytes], auth: AuthPolicy, now: datetime) -> None:
    items = [Input(f"mail-{len(mails)}-{i}", data) for i, data in enumerate(mails)]
    ingest(store, items, now, auth, account="file")


@pytest.mark.parametrize("case", list(CASES))
def test_a_forged_mail_gives_only_flagged_alerts_and_leaves_the_genuine_order_unmoved(
    case, tmp_path
):
    forged, trusted = CASES[case]
    auth = AuthPolicy(trusted_authserv_ids=trusted)
    genuine = with_headers(GENUINE, [f"{PROVIDER}; dkim=pass header.d=notice.aliexpress.com"])
    genuine = genuine.replace(b"<forged-", b"<", 1)  # the genuine mail keeps its own Message-ID
    policy = Policy()
    with Store.open(tmp_path / "db.sqlite") as store:
        load(store, [genuine], auth, SEEN)
        first = evaluate(store, SEEN, policy)
        assert [d.verified for d in first] == [True]
        before = genuine_order(store, policy)
        assert store.order_state(ORDER).proposal_deadline == DUE

        items = [Input("forged", forged)]
        ingest(store, items, LATER, auth, account="file")
        raised = evaluate(store, LATER, policy)
        assert genuine_order(store, policy) == before
        for decision in raised:
            assert not decision.verified, decision
            title = subject(decision, UTC, LATER)
            assert title.startswith(("Unverified mail claims", "Likely phishing", "Suspicious")), (
                title
            )
            assert alert_text(decision, LATER, UTC).startswith(title.split(":")[0])
            assert "Do not act on the mail" in decision.advice
        # The genuine deadline's reminders still come, as the seller's word.
        reminders = evaluate(store, DUE - timedelta(hours=20), policy)
        assert [(d.rule, d.verified, d.due) for d in reminders] == [("proposal_waiting", True, DUE)]


def test_a_forged_proposal_beside_a_genuine_one_is_flagged_not_silent(tmp_path):
    forged, _ = CASES["dkim=fail"]
    genuine = with_headers(GENUINE, [f"{PROVIDER}; dkim=pass header.d=notice.aliexpress.com"])
    genuine = genuine.replace(b"<forged-", b"<", 1)
    with Store.open(tmp_path / "db.sqlite") as store:
        load(store, [genuine], AuthPolicy(), SEEN)
        evaluate(store, SEEN, Policy())
        ingest(store, [Input("forged", forged)], LATER, AuthPolicy(), account="file")
        (warning,) = evaluate(store, LATER, Policy())
    assert warning.headline.startswith(
        "Unverified mail claims the seller made a proposal in your dispute"
    )
    assert "The mail claims a deadline of" in alert_text(warning, LATER, UTC)


def test_a_forged_proposal_on_its_own_is_flagged(tmp_path):
    forged, _ = CASES["dkim=fail"]
    with Store.open(tmp_path / "db.sqlite") as store:
        ingest(store, [Input("forged", forged)], LATER, AuthPolicy(), account="file")
        raised = evaluate(store, LATER, Policy())
    assert raised
    assert all(not d.verified for d in raised)
    assert all(subject(d, UTC, LATER).startswith("Unverified mail claims") for d in raised)


def flood(orders: int) -> bytes:
    """A forged mail naming `orders` order numbers, one per line of its body."""
    numbers = "\n".join(f"<p>Order {8300000000000000 + i}: refund ready</p>" for i in range(orders))
    return (
        "From: AliExpress <transaction@notice.aliexpress.com>\n"
        "To: alex.miller@example.net\n"
        "Subject: Your refunds are ready\n"
        "Date: Sat, 29 Nov 2025 03:00:00 -0800\n"
        "Message-ID: <flood@evil.example>\n"
        "Content-Type: text/html; charset=utf-8\n\n"
        f"<html><body><p>Your refunds were issued.</p>{numbers}</body></html>\n"
    ).encode()


def test_a_mail_naming_a_thousand_orders_gives_one_alert_and_delays_no_genuine_one(tmp_path):
    genuine = with_headers(GENUINE, [f"{PROVIDER}; dkim=pass header.d=notice.aliexpress.com"])
    genuine = genuine.replace(b"<forged-", b"<", 1)
    with Store.open(tmp_path / "db.sqlite") as store:
        load(store, [flood(1000), genuine], AuthPolicy(), SEEN)
        assert len(store.flooding_events(30)) == 1  # the parser did read the 1,000 numbers
        raised = evaluate(store, SEEN, Policy())
        assert store.order_ids() == [ORDER]  # the flood made no order
        assert sorted(d.rule for d in raised) == ["proposal_waiting", "suspicious"]
        (warning,) = [d for d in raised if d.rule == "suspicious"]
        assert subject(warning, UTC, SEEN) == "Suspicious mail naming 1000 orders: do not act on it"
        # The outbox sends the genuine proposal first.
        store.fan_out(["c"], SEEN)
        first = store.due_deliveries(["c"], SEEN)[0]
        assert first.alert.rule == "proposal_waiting"


def test_an_unverified_mail_raising_alerts_for_many_orders_gives_one_alert(tmp_path):
    said = b"the seller has responded to your dispute"
    mail = flood(12).replace(b"refund ready", said)
    mail = mail.replace(b"Your refunds are ready", b"Order 8300000000000000: " + said)
    with Store.open(tmp_path / "db.sqlite") as store:
        load(store, [mail], AuthPolicy(), SEEN)
        assert len(store.order_ids()) == 12  # under the cap on orders: each one is an order
        raised = evaluate(store, SEEN + timedelta(hours=1), Policy())
    assert [(d.rule, d.details["orders"]) for d in raised] == [("suspicious", "12")]


def dispute_flood(orders: int, *, message_id: bool = True) -> bytes:
    said = b"the seller has responded to your dispute"
    mail = flood(orders).replace(b"refund ready", said)
    mail = mail.replace(b"Your refunds are ready", b"Order 8300000000000000: " + said)
    return mail if message_id else mail.replace(b"Message-ID: <flood@evil.example>\n", b"")


def test_a_forged_mail_naming_five_orders_warns_once_and_never_starts_reminders(tmp_path):
    with Store.open(tmp_path / "db.sqlite") as store:
        load(store, [dispute_flood(5)], AuthPolicy(), SEEN)
        first = evaluate(store, SEEN + timedelta(hours=1), Policy())
        assert sorted(d.rule for d in first) == ["unverified"] * 5
        later = [
            d
            for day in range(1, 41)
            for d in evaluate(store, SEEN + timedelta(days=day, hours=1), Policy())
        ]
    assert later == []  # no daily proposal reminders, no seller_silent, no dispute_quiet


def test_a_flood_without_a_message_id_is_capped_too(tmp_path):
    with Store.open(tmp_path / "db.sqlite") as store:
        load(store, [dispute_flood(30, message_id=False)], AuthPolicy(), SEEN)
        raised = evaluate(store, SEEN + timedelta(hours=1), Policy())
    assert [(d.rule, d.details["orders"]) for d in raised] == [("suspicious", "30")]


def test_a_forged_mail_is_not_alerted_again_when_genuine_mail_about_its_order_arrives(tmp_path):
    forged, _ = CASES["dkim=fail"]
    genuine = with_headers(GENUINE, [f"{PROVIDER}; dkim=pass header.d=notice.aliexpress.com"])
    genuine = genuine.replace(b"<forged-", b"<", 1)
    with Store.open(tmp_path / "db.sqlite") as store:
        ingest(store, [Input("forged", forged)], SEEN, AuthPolicy(), account="file")
        (warning,) = evaluate(store, SEEN, Policy())
        load(store, [genuine], AuthPolicy(), LATER)
        raised = evaluate(store, LATER, Policy())
    assert [(d.rule, d.verified) for d in raised] == [("proposal_waiting", True)]
    assert warning.key.startswith(f"unverified:{ORDER}:<forged-")


def test_an_unrecognised_dispute_mail_that_is_not_verified_is_worded_as_unverified(tmp_path):
    mail = (
        "From: AliExpress <transaction@notice.aliexpress.com>\n"
        "Authentication-Results: mx.example.net; dkim=fail header.d=notice.aliexpress.com\n"
        f"Subject: Order {ORDER}: your dispute needs action, click here\n"
        "Date: Sat, 29 Nov 2025 03:00:00 -0800\n"
        "Message-ID: <attention@evil.example>\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Your dispute and refund need your action now. Log in through this link.\n"
    ).encode()
    with Store.open(tmp_path / "db.sqlite") as store:
        ingest(store, [Input("a", mail)], SEEN, AuthPolicy(), account="file")
        raised = [
            d
            for d in evaluate(store, SEEN, Policy())
            if d.details.get("claimed_rule") == "attention"
        ]
    (warning,) = raised
    assert not warning.verified
    title = subject(warning, UTC, SEEN)
    assert title.startswith("[URGENT]") is False
    assert title.startswith(
        "Unverified mail about a dispute, refund or return: check the order page"
    )
    assert alert_text(warning, SEEN, UTC).startswith("Unverified mail about a dispute")
    assert "Do not act on the mail" in warning.advice

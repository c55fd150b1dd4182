"""Robustness: every fixture, relayed, re-punctuated, with a generic subject or forwarded by
hand, still means the same: the same kind, stage and order numbers."""

from __future__ import annotations

import pytest

from aliwatch.parsers import recognise
from tests import variants
from tests.fixture_corpus import load_fixtures

CORPUS = load_fixtures()


def _meaning(raw: bytes) -> tuple[str, str | None, list[str]]:
    event = recognise(raw).to_json()
    return event["kind"], event["stage"], event["order_ids"]


def _expected(fixture) -> tuple[str, str | None, list[str]]:
    return fixture.expected["kind"], fixture.expected["stage"], fixture.expected["order_ids"]


@pytest.mark.parametrize("relay", sorted(variants.RELAYS))
@pytest.mark.parametrize("fixture", CORPUS, ids=lambda f: f.id)
def test_relayed_mail_means_the_same(fixture, relay):
    raw = variants.RELAYS[relay](fixture.eml.read_bytes())
    assert _meaning(raw) == _expected(fixture)


@pytest.mark.parametrize("edit", sorted(variants.SUBJECTS))
@pytest.mark.parametrize("fixture", CORPUS, ids=lambda f: f.id)
def test_subject_punctuation_and_case_do_not_change_the_meaning(fixture, edit):
    raw = variants.SUBJECTS[edit](fixture.eml.read_bytes())
    assert _meaning(raw) == _expected(fixture)


# Mails whose message does not say what happened: only the subject does. With a generic subject
# they must come out unrecognised (listed, never silent), never as another kind.
SUBJECT_ONLY = {
    "other/unrecognized_refund_only_en.eml": "unrecognised either way",
    "other/unrecognized_verification_code_ru.eml": "unrecognised either way",
}


@pytest.mark.parametrize("fixture", CORPUS, ids=lambda f: f.id)
def test_a_generic_subject_leaves_the_kind_to_the_body(fixture):
    raw = variants.generic_subject(fixture.eml.read_bytes(), fixture.expected["language"])
    kind, stage, orders = _meaning(raw)
    if fixture.id in SUBJECT_ONLY:
        assert kind in (fixture.expected["kind"], "unrecognized")
        return
    assert (kind, stage, orders) == _expected(fixture)


@pytest.mark.parametrize("fixture", CORPUS, ids=lambda f: f.id)
def test_forwarded_by_hand_means_the_same_and_is_never_authentic(fixture):
    event = recognise(variants.forwarded_by_hand(fixture.eml.read_bytes())).to_json()
    assert (event["kind"], event["stage"], event["order_ids"]) == _expected(fixture)
    assert not event["authentic"]
    if fixture.expected["kind"] != "not_aliexpress":
        assert event["forwarded"]


def test_the_variants_change_what_they_claim_to():
    raw = next(f for f in CORPUS if f.id == "order/order_shipped_de_versandt.eml").eml.read_bytes()
    relayed = recognise(variants.apple(raw))
    assert relayed.sender == "transaction@notice.aliexpress.com"
    assert b"privaterelay.appleid.com" in variants.apple(raw)
    assert recognise(variants.SUBJECTS["no colon"](raw)).subject == (
        "Bestellung 3000917726540038 Bestellung versandt"
    )
    assert recognise(variants.generic_subject(raw, "de")).subject == "Neuigkeiten von AliExpress"
    assert recognise(variants.forwarded_by_hand(raw)).forwarded

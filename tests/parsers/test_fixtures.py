"""Every fixture mail is recognised with exactly its expected fields."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aliwatch.parsers import KINDS, recognise
from tests.fixture_corpus import CONTRACT_DEFAULTS, FIXTURES, contract_view, load_fixtures

CORPUS = load_fixtures()


@pytest.mark.parametrize("fixture", CORPUS, ids=lambda f: f.id)
def test_fixture_is_recognised_as_expected(fixture):
    event = recognise(fixture.eml.read_bytes()).to_json()
    assert contract_view(event) == fixture.expected


def test_every_fixture_has_expected_fields_beside_it():
    emls = sorted(FIXTURES.rglob("*.eml"))
    assert emls, "no fixtures found"
    for eml in emls:
        spec = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
        unknown = set(spec["expected"]) - set(CONTRACT_DEFAULTS)
        assert not unknown, f"{eml.name}: fields outside the contract: {unknown}"
        assert "kind" in spec["expected"], eml.name


def test_corpus_is_large_enough_and_covers_every_kind():
    assert len(CORPUS) >= 60
    covered = {f.expected["kind"] for f in CORPUS}
    assert covered == set(KINDS)


def test_dispute_refund_and_cancellation_fixtures_are_marked_reconstructed():
    # No real sample of these mails has ever been published (docs/aliexpress-mail.md).
    invented = {
        "cancellation_requested",
        "cancellation_accepted",
        "cancellation_rejected",
        "refund_issued",
        "dispute_opened",
        "seller_proposal",
        "dispute_escalated",
        "dispute_closed",
        "return_required",
        "seller_message",
        "protection_extended",
    }
    for fixture in CORPUS:
        if fixture.expected["kind"] in invented:
            assert fixture.reconstructed, fixture.id


def test_parse_command_answers_every_fixture_with_its_expected_fields():
    aliwatch = Path(sys.executable).with_name("aliwatch")
    result = subprocess.run(
        [str(aliwatch), "parse", "--json", str(FIXTURES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    by_file = {Path(a["file"]).resolve(): a for a in answers}
    assert len(answers) == len(CORPUS)
    for fixture in CORPUS:
        assert contract_view(by_file[fixture.eml.resolve()]) == fixture.expected, fixture.id

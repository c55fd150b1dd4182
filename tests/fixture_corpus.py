"""The fixture corpus: every tests/fixtures/**/NAME.eml with its expected fields in NAME.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
# Real mail no row was written from: recognition is scored on it (tests/parsers/test_holdout.py),
# never tuned to it. Labelled by a reader who did not write the rows.
HOLDOUT = Path(__file__).parent / "fixtures_holdout"

# The public contract of `aliwatch parse --json` (README), with each field's default: a field
# missing from a fixture's "expected" must come out as its default.
CONTRACT_DEFAULTS: dict[str, Any] = {
    "kind": None,
    "order_ids": [],
    "parcel_id": None,
    "stage": None,
    "partial": False,
    "amount": None,
    "currency": None,
    "deadline": None,
    "deadline_window_days": None,
    "language": None,
    "message_id": None,
    "sent_at": None,
    "authentic": False,
    "forwarded": False,
    "attention": False,
    "pressure": False,
}


@dataclass(frozen=True)
class Fixture:
    """One .eml and what recognising it must give."""

    eml: Path
    expected: dict[str, Any]
    reconstructed: bool
    note: str

    @property
    def id(self) -> str:
        root = HOLDOUT if self.eml.is_relative_to(HOLDOUT) else FIXTURES
        return str(self.eml.relative_to(root))


def load_fixtures(folder: Path = FIXTURES) -> list[Fixture]:
    """All fixtures of a folder (the training corpus unless told), sorted by path."""
    found = []
    for eml in sorted(folder.rglob("*.eml")):
        spec = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
        expected = {**CONTRACT_DEFAULTS, **spec["expected"]}
        found.append(Fixture(eml, expected, bool(spec.get("reconstructed")), spec.get("note", "")))
    return found


def contract_view(event_json: dict[str, Any]) -> dict[str, Any]:
    """Only the contract's fields of a recognised event, for comparison."""
    return {name: event_json.get(name) for name in CONTRACT_DEFAULTS}

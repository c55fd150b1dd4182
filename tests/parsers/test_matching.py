"""The row prefilter never changes which row matches: same answer as trying every row."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliwatch.parsers.fold import fold
from aliwatch.parsers.matching import match
from aliwatch.parsers.rows import TABLE
from tests.support import REPO

ROOT = REPO
SUBJECTS = sorted(
    {
        str(message_from_bytes(p.read_bytes(), policy=policy.default)["subject"] or "")
        for folder in (ROOT / "tests" / "fixtures", ROOT / "examples" / "mailbox")
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(".json") and not p.name.startswith(".")
    }
)


def brute_force(subject: str) -> str | None:
    folded = fold(subject)
    matching = [
        row
        for row in TABLE
        if row.subject_re is not None and row.subject_re.search(folded) and row.match_body("")
    ]
    specific = [row for row in matching if not row.generic]
    return (specific or matching or [None])[0] and (specific or matching)[0].name


def prefiltered(subject: str) -> str | None:
    found = match(fold(subject), lambda: "")
    return found.subject_row.name if found and found.subject_row else None


@pytest.mark.parametrize("subject", SUBJECTS)
def test_prefilter_agrees_with_trying_every_row(subject):
    for variant in (subject, subject.upper(), subject.lower(), subject.title()):
        assert prefiltered(variant) == brute_force(variant)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SUBJECTS), st.text(max_size=20), st.integers(0, 60))
def test_prefilter_agrees_on_edited_subjects(subject, insert, at):
    edited = subject[:at] + insert + subject[at:]
    assert prefiltered(edited) == brute_force(edited)

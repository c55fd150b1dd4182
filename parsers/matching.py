"""Finding the row a mail matches: the first subject row in table order, else a body-only row."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from parsers.row import Row
from parsers.rows import TABLE


def _index() -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """Rows that must always be tried, and rows keyed by the longest word of each alternative."""
    always: list[int] = []
    keyed: dict[str, list[int]] = {}
    for index, row in enumerate(TABLE):
        if row.subject is None:
            continue
        if row.literal_options is None:
            always.append(index)
            continue
        for option in row.literal_options:
            keyed.setdefault(max(option, key=len), []).append(index)
    return tuple(always), {word: tuple(rows) for word, rows in keyed.items()}


# Running ~230 regexes on every subject cost more than reading the mail; a row is only tried
# when the plain words it requires are in the subject (benchmarks/bench_parse.py).
_ALWAYS, _KEYED = _index()
_KEYS = tuple(_KEYED)


# Order and parcel numbers make every subject different while its words repeat; with digit runs
# masked, the rows to try are looked up once per template. No key holds a digit or "#", so the
# masked subject contains exactly the keys the subject does.
_DIGITS = re.compile(r"[0-9]+")
if any(any(c.isdigit() or c == "#" for c in key) for key in _KEYS):
    raise RuntimeError("a row's plain words hold a digit or '#': _DIGITS masking would hide it")


def _candidates(lowered: str) -> tuple[Row, ...]:
    return _candidates_of_template(_DIGITS.sub("#", lowered))


@functools.lru_cache(maxsize=4096)
def _candidates_of_template(masked: str) -> tuple[Row, ...]:
    indices = set(_ALWAYS)
    for word in [word for word in _KEYS if word in masked]:
        indices.update(_KEYED[word])
    return tuple(TABLE[i] for i in sorted(indices))


@dataclass(frozen=True, slots=True)
class Found:
    """The matching row, its subject match (None for body rows) and other languages it fits."""

    row: Row
    subject_match: re.Match[str] | None
    tie_languages: tuple[str, ...]


def match(subject: str, body: str) -> Found | None:
    """The row this mail matches, or None when no row of the table does."""
    candidates = _candidates(subject.lower())
    for row in candidates:
        m = row.match_subject(subject)
        if m and row.match_body(body):
            ties = tuple(
                other.language
                for other in candidates
                if other.kind is row.kind
                and other.language != row.language
                and other.match_subject(subject)
            )
            return Found(row, m, ties)
    for row in TABLE:
        if row.subject is None and row.match_body(body):
            return Found(row, None, ())
    return None

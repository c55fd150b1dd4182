"""Choosing what a mail means: its subject's row, weighed against what its message says.

1. The first subject row in table order (narrowest first) whose body cues also hold decides,
   unless it is `generic` (the subject only says that something changed).
2. Otherwise the first body row whose cues the message holds decides.
3. Otherwise a generic subject row decides, with no stage; otherwise no row does.
A body row of the chosen kind supplies the stage when the subject row names none.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aliwatch.parsers.row import Row
from aliwatch.parsers.rows import TABLE


def _index(rows: Iterable[tuple[int, Row]]) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """Rows that must always be tried, and rows keyed by the longest run of each alternative."""
    always: list[int] = []
    keyed: dict[str, list[int]] = {}
    for index, row in rows:
        if row.literal_options is None:
            always.append(index)
            continue
        for option in row.literal_options:
            keyed.setdefault(max(option, key=len), []).append(index)
    return tuple(always), {word: tuple(found) for word, found in keyed.items()}


# Running every row's regex on every subject cost more than reading the mail; a row is only
# tried when the plain words it requires are in the folded subject (benchmarks/bench_parse.py).
_ALWAYS, _KEYED = _index((i, row) for i, row in enumerate(TABLE) if row.subject is not None)
_KEYS = tuple(_KEYED)
# Body rows in table order, weak ones last.
BODY_ROWS: tuple[Row, ...] = tuple(
    sorted((row for row in TABLE if row.subject is None), key=lambda row: row.weak)
)


@functools.lru_cache(maxsize=4096)
def candidates(folded_subject: str) -> tuple[Row, ...]:
    """The subject rows worth trying on a folded subject (numbers are already "#")."""
    indices = set(_ALWAYS)
    for word in [word for word in _KEYS if word in folded_subject]:
        indices.update(_KEYED[word])
    return tuple(TABLE[i] for i in sorted(indices))


@dataclass(frozen=True, slots=True)
class Found:
    """What decided: the chosen row, the subject and body rows behind it, and why."""

    row: Row
    subject_row: Row | None
    body_row: Row | None
    tie_languages: tuple[str, ...]
    reason: str

    @property
    def stage(self) -> str | None:
        """The stage the subject row names, else the one the body row names."""
        if self.row.stage is not None:
            return self.row.stage
        if self.body_row is not None and self.body_row.kind is self.row.kind:
            return self.body_row.stage
        return None


def subject_matches(folded_subject: str, folded_message: str) -> list[Row]:
    """Every subject row that matches, body cues included, in table order."""
    return [
        row
        for row in candidates(folded_subject)
        if row.match_subject(folded_subject) and row.match_body(folded_message)
    ]


def body_matches(folded_message: str, rows: Iterable[Row] = BODY_ROWS) -> list[Row]:
    """Every body row whose cues the folded message holds, in table order."""
    return [
        row for row in rows if row.may_match_body(folded_message) and row.match_body(folded_message)
    ]


def _ties(row: Row, folded_subject: str) -> tuple[str, ...]:
    return tuple(
        other.language
        for other in candidates(folded_subject)
        if other.kind is row.kind
        and other.language != row.language
        and other.match_subject(folded_subject)
    )


def _staged(kind: object) -> tuple[Row, ...]:
    return _STAGED.get(kind, ())


# Body rows that name a stage, by kind: a subject row without a stage asks only these.
_STAGED: dict[object, tuple[Row, ...]] = {}
for _row in BODY_ROWS:
    if _row.stage is not None:
        _STAGED[_row.kind] = (*_STAGED.get(_row.kind, ()), _row)


def match(folded_subject: str, message: Callable[[], str]) -> Found | None:
    """The row this mail matches by the order above, or None when nothing says what it is.

    `message` gives the folded message when asked: most mails are decided by their subject
    alone, and folding a message cost more than matching its subject (bench_parse.py).
    """
    generic: Row | None = None
    for row in candidates(folded_subject):
        if not row.match_subject(folded_subject) or (row.body and not row.match_body(message())):
            continue
        if row.generic:
            generic = generic or row
            continue
        staged = _staged(row.kind)
        body = (
            None if row.stage or not staged else next(iter(body_matches(message(), staged)), None)
        )
        why = f"subject matches {row.name}"
        if body is not None:
            why += f"; stage from body row {body.name}"
        return Found(row, row, body, _ties(row, folded_subject), why)
    if generic is not None:
        # A generic subject of one kind: only a body row of that kind may add the stage; a body
        # row of another kind decides instead.
        found = body_matches(message())
        same = next((r for r in found if r.kind is generic.kind), None)
        if same is not None:
            why = f"generic subject {generic.name}; body row {same.name} says {same.kind}"
            return Found(same if same.stage else generic, generic, same, (), why)
        if found:
            why = f"generic subject {generic.name}; body row {found[0].name} says {found[0].kind}"
            return Found(found[0], generic, found[0], (), why)
        return Found(generic, generic, None, (), f"generic subject {generic.name}, body silent")
    found = body_matches(message())
    if found:
        return Found(found[0], None, found[0], (), f"no subject row; body row {found[0].name}")
    return None

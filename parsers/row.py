"""A pattern row: one template of one kind in one language, as data.

Patterns are written as regular expressions over ordinary text ("bestellung {order}: wurde
versandt") and matched against folded text (parsers/fold.py): case, accents, umlaut spellings and
punctuation never change a match, and {order}, {parcel} and {n} stand for any number or
identifier. Which numbers a mail names is read separately (parsers/identifiers.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from aliwatch.parsers.event import STAGES, Kind
from aliwatch.parsers.fold import fold_pattern

# Where a row's wording comes from (../shared/docs/aliexpress-mail.md): real mail, a public
# parser, help-centre copy, or our own careful reconstruction (no public sample exists).
SOURCES = ("real", "parser", "help", "reconstructed")

_FLAGS = re.UNICODE


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """A row pattern, folded and compiled once (compiling every row at import was a fifth of
    `aliwatch run --once` on an empty folder, make bench); tests/parsers/test_kinds.py compiles
    them all."""
    return re.compile(fold_pattern(pattern), _FLAGS)


_META = set("\\.^$*+?{}[]()|")
_QUANT = ("?", "*", "{")  # make the character before them optional


def _tokens(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(position, character, nesting depth outside it) of each character; an escape gives ""."""
    depth, i = 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            yield i, "", depth
            i += 2
            continue
        if char in ")]}":
            depth -= 1
        yield i, char, depth
        if char in "([{":
            depth += 1
        i += 1


@functools.cache
def _literals_of(pattern: str) -> tuple[tuple[str, ...], ...] | None:
    """required_literals of the folded pattern, worked out once: the table names each of its
    rows (parsers/rows/__init__.py), which builds every row a second time."""
    return required_literals(fold_pattern(pattern))


def required_literals(pattern: str) -> tuple[tuple[str, ...], ...] | None:
    """For each top-level alternative of a folded pattern, the plain runs (3+ characters) it
    must contain.

    None when some alternative has no such run (the row must always be tried). Only text outside
    groups and classes counts; a character followed by a quantifier ends the run without joining.
    """
    options: list[tuple[str, ...]] = []
    runs: list[str] = []
    current: list[str] = []
    for i, char, depth in (*_tokens(pattern), (len(pattern), "|", 0)):
        if depth == 0 and char == "|":  # end of an alternative (or of the pattern)
            _flush(current, runs)
            if not runs:
                return None
            options.append(tuple(runs))
            runs, current = [], []
        elif depth == 0 and char and char not in _META and pattern[i + 1 : i + 2] not in _QUANT:
            current.append(char)
        else:
            current = _flush(current, runs)
    return tuple(options)


def _flush(current: list[str], runs: list[str]) -> list[str]:
    run = "".join(current).strip()
    if len(run) >= 3:
        runs.append(run)
    return []


@dataclass(frozen=True, slots=True)
class Row:
    """One template: a subject shape and/or body cues that together mean `kind`.

    A subject row matches when its pattern is found in the folded subject and every body cue in
    the folded message (parsers/message.py). A body row (no subject) says what a mail means from
    its message alone: it decides when the subject matches no row or only a `generic` one ("new
    delivery status", "has an update"), whose kind or stage only the body tells. A `weak` body
    row uses words other kinds' mails use in passing ("your parcel is on its way" heads a
    shipping mail too): it is tried after every other body row.
    """

    kind: Kind
    language: str
    subject: str | None = None
    body: tuple[str, ...] = ()
    stage: str | None = None
    partial: bool = False
    generic: bool = False
    weak: bool = False
    source: str = "reconstructed"
    name: str = ""
    literal_options: tuple[tuple[str, ...], ...] | None = field(
        init=False, repr=False, compare=False
    )
    # The plain runs the first body cue needs, per alternative (None: it must always be tried).
    body_options: tuple[tuple[str, ...], ...] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.subject is None and not self.body:
            raise ValueError(f"row {self.name or self.kind} has neither subject nor body cues")
        if self.stage is not None and self.stage not in STAGES:
            raise ValueError(f"row {self.name or self.kind}: unknown stage {self.stage!r}")
        if self.source not in SOURCES:
            raise ValueError(f"row {self.name or self.kind}: unknown source {self.source!r}")
        if self.generic and self.subject is None:
            raise ValueError(f"row {self.name or self.kind}: only a subject row can be generic")
        if self.weak and self.subject is not None:
            raise ValueError(f"row {self.name or self.kind}: only a body row can be weak")
        options = _literals_of(self.subject) if self.subject else None
        object.__setattr__(self, "literal_options", options)
        body = _literals_of(self.body[0]) if self.body else None
        object.__setattr__(self, "body_options", body)
        if not self.name:
            object.__setattr__(self, "name", f"{self.kind.value}/{self.language}")

    @property
    def subject_re(self) -> re.Pattern[str] | None:
        """The compiled subject pattern (compiled on first use: most rows never meet a mail)."""
        return compiled(self.subject) if self.subject else None

    @property
    def body_re(self) -> tuple[re.Pattern[str], ...]:
        """The compiled body cues."""
        return tuple(compiled(cue) for cue in self.body)

    def match_subject(self, folded_subject: str) -> re.Match[str] | None:
        """The match in a folded subject, or None (also None for body rows)."""
        return compiled(self.subject).search(folded_subject) if self.subject else None

    def match_body(self, folded_message: str) -> bool:
        """True when every body cue is found in the folded message."""
        return all(compiled(cue).search(folded_message) for cue in self.body)

    def may_match_body(self, folded_message: str) -> bool:
        """False when the message lacks plain words the first cue needs (a cheap pre-check)."""
        options = self.body_options
        if options is None:
            return True
        for option in options:
            for run in option:
                if run not in folded_message:
                    break
            else:
                return True
        return False

    def cues_found(self, folded_message: str) -> int:
        """How many of the body cues the folded message holds (for `parse --explain`)."""
        return sum(1 for cue in self.body if compiled(cue).search(folded_message))

"""A pattern row: one template of one kind in one language, as data."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from parsers.event import STAGES, Kind

# Placeholders usable in a row's subject pattern; each becomes a named group the recogniser reads.
PLACEHOLDERS = {
    "{order}": r"(?P<order>\d{16})",
    # A parcel id is 8-34 letters/digits with at least one digit (S10, Cainiao, DHL, USPS, ...).
    "{parcel}": r"(?P<parcel>(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,34})",
    "{n}": r"\d{1,3}",
}

# Where a row's wording comes from (docs/aliexpress-mail.md): real mail, a public parser,
# help-centre copy, or our own careful reconstruction (no public sample exists).
SOURCES = ("real", "parser", "help", "reconstructed")

_FLAGS = re.IGNORECASE | re.UNICODE


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """A row pattern, expanded and compiled once; compiling all 464 at import was a fifth of
    `aliwatch run --once` on an empty folder (make bench). test_rows compiles every one."""
    return re.compile(expand(pattern), _FLAGS)


def expand(pattern: str) -> str:
    """The row pattern with its placeholders replaced by their named groups."""
    for name, regex in PLACEHOLDERS.items():
        pattern = pattern.replace(name, regex)
    return pattern


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


def required_literals(pattern: str) -> tuple[tuple[str, ...], ...] | None:
    """For each top-level alternative, the plain lower-case runs (3+ characters) it must contain.

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
            current.append(char.lower())
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

    A row matches when its subject pattern (if any) is found in the normalised subject and every
    body cue is found in the body text. Rows without a subject are only tried when no subject row
    of any kind matched, so a generic subject does not hide a mail's meaning.
    """

    kind: Kind
    language: str
    subject: str | None = None
    body: tuple[str, ...] = ()
    stage: str | None = None
    partial: bool = False
    source: str = "reconstructed"
    name: str = ""
    literal_options: tuple[tuple[str, ...], ...] | None = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.subject is None and not self.body:
            raise ValueError(f"row {self.name or self.kind} has neither subject nor body cues")
        if self.stage is not None and self.stage not in STAGES:
            raise ValueError(f"row {self.name or self.kind}: unknown stage {self.stage!r}")
        if self.source not in SOURCES:
            raise ValueError(f"row {self.name or self.kind}: unknown source {self.source!r}")
        options = required_literals(expand(self.subject)) if self.subject else None
        object.__setattr__(self, "literal_options", options)
        if not self.name:
            object.__setattr__(self, "name", f"{self.kind.value}/{self.language}")

    @property
    def subject_re(self) -> re.Pattern[str] | None:
        """The compiled subject pattern (compiled on first use: most rows never meet a mail)."""
        return _compiled(self.subject) if self.subject else None

    @property
    def body_re(self) -> tuple[re.Pattern[str], ...]:
        return tuple(_compiled(cue) for cue in self.body)

    def match_subject(self, subject: str) -> re.Match[str] | None:
        """Return the subject match, or None (also None for body-only rows)."""
        return _compiled(self.subject).search(subject) if self.subject else None

    def match_body(self, body: str) -> bool:
        """True when every body cue is present."""
        return all(_compiled(cue).search(body) for cue in self.body)

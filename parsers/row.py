"""A pattern row: one template of one kind in one language, as data."""

from __future__ import annotations

import re
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


def expand(pattern: str) -> str:
    """The row pattern with its placeholders replaced by their named groups."""
    for name, regex in PLACEHOLDERS.items():
        pattern = pattern.replace(name, regex)
    return pattern


_META = set("\\.^$*+?{}[]()|")


def _top_level_branches(pattern: str) -> list[str]:
    branches, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


def required_literals(pattern: str) -> tuple[tuple[str, ...], ...] | None:
    """For each top-level alternative, the plain lower-case runs (3+ characters) it must contain.

    None when some alternative has no such run (the row must always be tried). Only text outside
    groups and classes counts; a character followed by a quantifier ends the run without joining.
    """
    options = []
    for branch in _top_level_branches(pattern):
        literals = _branch_literals(branch)
        if not literals:
            return None
        options.append(literals)
    return tuple(options)


def _branch_literals(pattern: str) -> tuple[str, ...]:
    runs: list[str] = []
    current: list[str] = []
    depth = 0
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            current = _flush(current, runs)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and char not in _META:
            if i + 1 < len(pattern) and pattern[i + 1] in "?*{":
                current = _flush(current, runs)
            else:
                current.append(char.lower())
            i += 1
            continue
        current = _flush(current, runs)
        i += 1
    _flush(current, runs)
    return tuple(runs)


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
    subject_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    literal_options: tuple[tuple[str, ...], ...] | None = field(
        init=False, repr=False, compare=False
    )
    body_re: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.subject is None and not self.body:
            raise ValueError(f"row {self.name or self.kind} has neither subject nor body cues")
        if self.stage is not None and self.stage not in STAGES:
            raise ValueError(f"row {self.name or self.kind}: unknown stage {self.stage!r}")
        if self.source not in SOURCES:
            raise ValueError(f"row {self.name or self.kind}: unknown source {self.source!r}")
        subject_re = re.compile(expand(self.subject), _FLAGS) if self.subject else None
        object.__setattr__(self, "subject_re", subject_re)
        options = required_literals(expand(self.subject)) if self.subject else None
        object.__setattr__(self, "literal_options", options)
        object.__setattr__(self, "body_re", tuple(re.compile(expand(b), _FLAGS) for b in self.body))
        if not self.name:
            object.__setattr__(self, "name", f"{self.kind.value}/{self.language}")

    def match_subject(self, subject: str) -> re.Match[str] | None:
        """Return the subject match, or None (also None for body-only rows)."""
        return self.subject_re.search(subject) if self.subject_re else None

    def match_body(self, body: str) -> bool:
        """True when every body cue is present."""
        return all(cue.search(body) for cue in self.body_re)

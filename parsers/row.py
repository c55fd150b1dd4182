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


def _expand(pattern: str) -> str:
    for name, regex in PLACEHOLDERS.items():
        pattern = pattern.replace(name, regex)
    return pattern


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
    body_re: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.subject is None and not self.body:
            raise ValueError(f"row {self.name or self.kind} has neither subject nor body cues")
        if self.stage is not None and self.stage not in STAGES:
            raise ValueError(f"row {self.name or self.kind}: unknown stage {self.stage!r}")
        if self.source not in SOURCES:
            raise ValueError(f"row {self.name or self.kind}: unknown source {self.source!r}")
        subject_re = re.compile(_expand(self.subject), _FLAGS) if self.subject else None
        object.__setattr__(self, "subject_re", subject_re)
        object.__setattr__(
            self, "body_re", tuple(re.compile(_expand(b), _FLAGS) for b in self.body)
        )
        if not self.name:
            object.__setattr__(self, "name", f"{self.kind.value}/{self.language}")

    def match_subject(self, subject: str) -> re.Match[str] | None:
        """Return the subject match, or None (also None for body-only rows)."""
        return self.subject_re.search(subject) if self.subject_re else None

    def match_body(self, body: str) -> bool:
        """True when every body cue is present."""
        return all(cue.search(body) for cue in self.body_re)

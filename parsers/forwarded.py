"""Hand-forwarded mail: find the quoted original's sender, subject and body."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aliwatch.parsers.identity import addresses_in
from aliwatch.parsers.mime import clean_header
from aliwatch.parsers.vocabulary import (
    FORWARD_MARKERS,
    FORWARD_PREFIX,
    QUOTED_DATE,
    QUOTED_FROM,
    QUOTED_SUBJECT,
)

# The quoted header block is short: Subject follows From within a few lines.
_BLOCK = 600


@dataclass(frozen=True, slots=True)
class Quoted:
    """The original mail inside a forward."""

    address: str
    subject: str
    body: str
    date_line: str = ""  # the quoted header block's date, as written (may be absent)


def strip_prefixes(subject: str) -> tuple[str, bool]:
    """Remove Fwd:/WG:/TR:/RV:/Пересл: prefixes; say whether there were any."""
    m = FORWARD_PREFIX.match(subject)
    if not m:
        return subject, False
    return subject[m.end() :].strip(), True


def quoted_originals(subject: str, text: str) -> Iterator[Quoted]:
    """Each quoted original, outermost first, when the mail looks forwarded (prefix or marker).

    A mail forwarded twice quotes the first forwarder before the original sender.
    """
    _, prefixed = strip_prefixes(subject)
    if not prefixed:
        start = text[:20000].lower()
        if not any(marker in start for marker in FORWARD_MARKERS):
            return
    for m in QUOTED_FROM.finditer(text):
        addresses = addresses_in(m.group(1))
        if not addresses:
            continue
        window = text[m.end() : m.end() + _BLOCK]
        subj = QUOTED_SUBJECT.search(window)
        if not subj:
            continue
        original_subject, _ = strip_prefixes(clean_header(subj.group(1)))
        date = QUOTED_DATE.search(text, max(0, m.start() - _BLOCK), m.end() + subj.end())
        yield Quoted(
            addresses[0],
            original_subject,
            text[m.end() + subj.end() :],
            clean_header(date.group(1)) if date else "",
        )

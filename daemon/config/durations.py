"""Durations as users write them in the env file: "7d", "6h", "30m", "1d12h"."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([dhms])")
_WHOLE = re.compile(r"(?:\s*\d+\s*[dhms])+\s*")
_UNIT = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text: str) -> timedelta:
    """Parse "7d", "6h", "1d12h"; raises ValueError naming the expected form."""
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"{text!r} is not a duration like 7d, 6h, 30m or 1d12h")
    total = timedelta()
    for number, unit in _PART.findall(text):
        total += timedelta(**{_UNIT[unit]: int(number)})
    if total <= timedelta():
        raise ValueError(f"{text!r} must be longer than zero")
    return total


def parse_durations(text: str) -> tuple[timedelta, ...]:
    """A comma-separated list of durations, longest first, without repeats."""
    parts = [parse_duration(p) for p in text.split(",") if p.strip()]
    if not parts:
        raise ValueError("expected at least one duration, like 7d,3d,1d,6h")
    return tuple(sorted(set(parts), reverse=True))

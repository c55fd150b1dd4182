"""How times and events are written as text in the database, and read back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aliwatch.parsers.event import Event

# The longest error text kept: enough to say what went wrong, too short to hold a mail.
MAX_ERROR_CHARS = 300


def time_text(when: datetime) -> str:
    """`when` as ISO 8601 UTC text of a fixed width, so text order is time order."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when.isoformat()}: the store needs an aware one")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def text_time(text: str) -> datetime:
    """The aware UTC datetime written by `time_text`."""
    return datetime.fromisoformat(text).astimezone(UTC)


def stated_time(text: str | None) -> datetime | None:
    """A time written as text (an alert's `claimed_deadline`), or None if missing, bad or naive."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else None


def event_text(event: Event) -> str:
    """The event's JSON (`Event.to_json`), keys sorted so equal events give equal text."""
    return json.dumps(event.to_json(), sort_keys=True, ensure_ascii=False)


def text_event(text: str) -> Event:
    """The event `event_text` wrote."""
    return Event.from_json(json.loads(text))


def short_error(error: str | None) -> str | None:
    """An error message cut to one short line."""
    if error is None:
        return None
    line = " ".join(error.split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"

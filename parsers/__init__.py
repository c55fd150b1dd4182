"""Pure recognition of AliExpress mail: raw bytes in, one typed Event out."""

from aliwatch.parsers.errors import MailParseError
from aliwatch.parsers.event import KINDS, STAGES, Event, Kind
from aliwatch.parsers.recognise import AuthPolicy, recognise


def clear_caches() -> None:
    """Forget memoised verdicts and row lookups, so a benchmark round measures a cold pass."""
    from aliwatch.parsers import authenticity, matching  # noqa: PLC0415 - only benchmarks need these

    matching.candidates.cache_clear()
    authenticity._dkim_domains.cache_clear()
    authenticity._parsed_domains.cache_clear()


__all__ = [
    "KINDS",
    "STAGES",
    "AuthPolicy",
    "Event",
    "Kind",
    "MailParseError",
    "clear_caches",
    "recognise",
]

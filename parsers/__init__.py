"""Pure recognition of AliExpress mail: raw bytes in, one typed Event out."""

from parsers.errors import MailParseError
from parsers.event import KINDS, STAGES, Event, Kind
from parsers.recognise import AuthPolicy, recognise

__all__ = ["KINDS", "STAGES", "AuthPolicy", "Event", "Kind", "MailParseError", "recognise"]

"""Recognising fetched mail with each failure contained to its own mail."""

from __future__ import annotations

from parsers import AuthPolicy, MailParseError, recognise
from parsers.event import Event

Result = tuple[Event | None, str | None]


def recognise_mail(raw: bytes, auth: AuthPolicy) -> Result:
    """The mail's event, or None and why not (the reason never quotes the mail)."""
    try:
        return recognise(raw, auth), None
    except MailParseError as err:
        return None, str(err)
    except Exception as err:  # noqa: BLE001 - a parser bug on one mail must not stop the sync
        return None, f"parser error: {type(err).__name__}"


def recognise_all(mails: list[bytes], auth: AuthPolicy) -> list[Result]:
    """Each mail's result, in order, in this process."""
    return [recognise_mail(raw, auth) for raw in mails]

"""Recognition: one mail's bytes become one Event, by the rows of the table."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aliwatch.parsers.amounts import find_amount
from aliwatch.parsers.authenticity import is_authentic
from aliwatch.parsers.dates import stated_deadline, stated_window, written_date
from aliwatch.parsers.errors import MailParseError
from aliwatch.parsers.event import Event, Kind
from aliwatch.parsers.fold import fold
from aliwatch.parsers.forwarded import Quoted, quoted_originals, strip_prefixes
from aliwatch.parsers.identifiers import order_ids, parcel_id, subject_ids
from aliwatch.parsers.identity import Identity, Mark, identify
from aliwatch.parsers.matching import Found, match
from aliwatch.parsers.message import own_message
from aliwatch.parsers.mime import Mail, read_mail
from aliwatch.parsers.row import Row
from aliwatch.parsers.senders import Sender, SenderClass, classify
from aliwatch.parsers.vocabulary import (
    ATTENTION,
    PRESSURE,
    PROPOSAL_LABEL,
    REFUND_LABEL,
    TOTAL_LABEL,
    guess_language,
)

# Which labelled amount matters, most preferred first: the proposal in a proposal, the refund in
# other dispute and refund mail, else the order total.
_TOTAL_FIRST = (TOTAL_LABEL,)
_REFUND_FIRST = (REFUND_LABEL, PROPOSAL_LABEL, TOTAL_LABEL)
_LABELS: dict[Kind, tuple[re.Pattern[str], ...]] = {
    **dict.fromkeys(
        (
            Kind.REFUND_ISSUED,
            Kind.DISPUTE_OPENED,
            Kind.DISPUTE_CLOSED,
            Kind.DISPUTE_ESCALATED,
            Kind.RETURN_REQUIRED,
            Kind.CANCELLATION_ACCEPTED,
            Kind.UNRECOGNIZED,
        ),
        _REFUND_FIRST,
    ),
    Kind.SELLER_PROPOSAL: (PROPOSAL_LABEL, REFUND_LABEL, TOTAL_LABEL),
}
# Carrier scans and marketing name no amount the buyer paid or gets back, and set no date to act
# by: the dates in them are estimates.
_NO_MONEY = frozenset({Kind.PARCEL_UPDATE, Kind.PARCEL_DELIVERED, Kind.PROMOTION})
_NO_DEADLINE = frozenset({Kind.PARCEL_UPDATE, Kind.PARCEL_DELIVERED, Kind.PROMOTION})
_PARCEL_KINDS = frozenset({Kind.PARCEL_UPDATE, Kind.PARCEL_DELIVERED})
# Where a seller speaks to the buyer: the mails that can carry pressure to close or pay outside.
_SELLER_SPEAKS = frozenset({Kind.SELLER_MESSAGE, Kind.SELLER_PROPOSAL})
# AliExpress's own advice says the same words negated: "don't close the dispute until ...".
_NEGATED = re.compile(
    r"(?:n't|\bnot|\bnever|\bnicht|\bnie|\bno|\bnão|\bne|\bне)\W+(?:\w+\W+){0,2}$"
)


def _pressured(lowered: str) -> bool:
    return any(
        not _NEGATED.search(lowered, max(0, m.start() - 30), m.start())
        for m in PRESSURE.finditer(lowered)
    )


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """Which Authentication-Results headers to believe (ALIWATCH_TRUSTED_AUTHSERV_IDS)."""

    trusted_authserv_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Trace:
    """How a mail was read, for `aliwatch parse --explain`; never logged (it quotes the mail)."""

    identity: Identity
    forwarded_from: str | None
    subject: str
    folded_subject: str
    body_lowered: str  # the mail's own message is own_message(body_lowered)
    found: Found | None
    reason: str


def recognise(raw: bytes, policy: AuthPolicy | None = None) -> Event:
    """Recognise one mail. Raises MailParseError only when the bytes cannot be read as mail."""
    return recognise_traced(raw, policy)[0]


def recognise_all(
    mails: list[bytes], policy: AuthPolicy | None = None
) -> list[tuple[Event | None, str | None]]:
    """Each mail's event, or None and why not (the reason never quotes the mail), in order.

    A parser bug on one mail is contained to that mail: it gets the bug's type as its reason.
    """
    results: list[tuple[Event | None, str | None]] = []
    for raw in mails:
        try:
            results.append((recognise(raw, policy), None))
        except MailParseError as err:
            results.append((None, str(err)))
        except Exception as err:  # noqa: BLE001 - a parser bug on one mail must not stop the rest
            results.append((None, f"parser error: {type(err).__name__}"))
    return results


def recognise_traced(raw: bytes, policy: AuthPolicy | None = None) -> tuple[Event, Trace]:
    """The event and how it was decided."""
    return _recognise(read_mail(raw), policy or AuthPolicy())


def recognise_mail(mail: Mail, policy: AuthPolicy | None = None) -> tuple[Event, Trace]:
    """The event of a mail already read, and how it was decided."""
    return _recognise(mail, policy or AuthPolicy())


def _language(row: Row, ties: tuple[str, ...], subject: str, lowered: str) -> str:
    """The row's language, unless the body clearly speaks another one.

    Shared subjects (ES and PT "pedido ... enviado") are settled by the body; so are subjects that
    stay English on other locales ("Your order ... is closed", real).
    """
    if ties:
        return guess_language(lowered, (row.language, *ties)) or row.language
    if row.language == "en" and subject.isascii():
        # Every other supported language writes letters outside ASCII within a few lines.
        start = lowered[:2000]
        return "en" if start.isascii() else guess_language(start) or row.language
    return row.language


def _deadline(
    kind: Kind, lowered: str, message: Callable[[], str], sent: datetime | None
) -> tuple[datetime | None, int | None]:
    """A date the mail states, else the end of a period it states, counted from its date."""
    if kind in _NO_DEADLINE:
        return None, None
    stated = stated_deadline(lowered)
    if stated is not None:
        return stated, None
    days = stated_window(message())
    if days is None or sent is None:
        return None, None
    return sent + timedelta(days=days), days


def _forwarded_original(mail: Mail) -> tuple[Sender, Quoted] | None:
    """The first AliExpress original a forward quotes, and its sender."""
    for quoted in quoted_originals(mail.subject, mail.text):
        original = classify(quoted.address)
        if original.cls is not SenderClass.OTHER:
            return original, quoted
    return None


def _recognise(mail: Mail, policy: AuthPolicy) -> tuple[Event, Trace]:
    sent = mail.sent
    common: dict[str, Any] = {
        "message_id": mail.message_id,
        "sent_at": sent,
        "subject": mail.subject,
        "sender": mail.from_address,
    }
    # Lower-cased once: identity, links and ids all read it.
    html_lowered = mail.raw_html.lower()
    identity = identify(mail.from_address, mail.from_display, mail.identity_headers, html_lowered)
    sender = identity.sender
    subject, body, forwarded_from = mail.subject, mail.text, None
    if not identity.is_aliexpress:
        original = _forwarded_original(mail)
        if original is None:
            trace = Trace(identity, None, subject, "", "", None, "no mark of AliExpress")
            return Event(Kind.NOT_ALIEXPRESS, **common), trace
        sender, quoted = original
        forwarded_from, subject, body = quoted.address, quoted.subject, quoted.body
        identity = Identity(sender, (*identity.marks, Mark("forwarded", sender.address)), None)
        # A period counts from the original's date: the forward came later.
        written = written_date(quoted.date_line) if quoted.date_line else None
        if written is not None and (sent is None or written < sent):
            sent = written
    forwarded = forwarded_from is not None
    # Forwarded mail is never authentic: the forwarder's provider vouches for the forwarder.
    common["authentic"] = not forwarded and is_authentic(
        mail.auth_results, policy.trusted_authserv_ids, relayed=sender.relay == "apple"
    )
    common["sender"], common["forwarded"] = sender.address, forwarded
    if forwarded:
        subject = strip_prefixes(subject)[0]
    lowered = body.lower()
    # The message without navigation and footer, and its folded words, only when asked: most
    # mails are decided by their subject (benchmarks/bench_parse.py).
    message = functools.cache(lambda: own_message(lowered))
    folded_subject = fold(subject)
    folded_message = functools.cache(lambda: fold(message()))
    if sender.cls is SenderClass.MARKETING:
        language = guess_language(subject.lower() + "\n" + lowered)
        trace = Trace(
            identity, forwarded_from, subject, folded_subject, lowered, None,
            f"marketing sender {sender.address}",
        )  # fmt: skip
        return Event(Kind.PROMOTION, language=language, **common), trace
    found = match(folded_subject, folded_message)
    subject_lowered = subject.lower()
    if found is None or (found.row.kind is Kind.PROMOTION and ATTENTION.search(subject_lowered)):
        event = _unrecognised(mail, subject, body, message(), html=html_lowered, common=common)
        reason = "no row matches" if found is None else "a promotion row, but dispute words"
        trace = Trace(identity, forwarded_from, subject, folded_subject, lowered, found, reason)
        return event, trace
    row = found.row
    orders, subject_parcel = subject_ids(subject, row.kind in _PARCEL_KINDS)
    money = None
    if row.kind not in _NO_MONEY:
        money = find_amount(body, _LABELS.get(row.kind, _TOTAL_FIRST))
    deadline, window = _deadline(row.kind, lowered, message, sent)
    parcel = subject_parcel if row.kind in _PARCEL_KINDS else None
    event = Event(
        row.kind,
        order_ids=order_ids(orders, html_lowered, body),
        parcel_id=parcel or parcel_id(mail.raw_html, html_lowered, body, lowered),
        stage=found.stage,
        partial=row.partial,
        amount=money[0] if money else None,
        currency=money[1] if money else None,
        deadline=deadline,
        deadline_window_days=window,
        language=_language(row, found.tie_languages, subject, lowered),
        pressure=row.kind in _SELLER_SPEAKS and _pressured(lowered),
        template=row.name,
        **common,
    )
    trace = Trace(identity, forwarded_from, subject, folded_subject, lowered, found, found.reason)
    return event, trace


def _unrecognised(
    mail: Mail, subject: str, body: str, message: str, *, html: str, common: dict[str, Any]
) -> Event:
    """An AliExpress mail no row knows, with what it does say: numbers, amount, language.

    Never silent: it is kept and listed (`aliwatch unknown`) and, when its own message (not the
    navigation bar or footer) talks about disputes, refunds, returns or cancellations, flagged
    for the user's attention.
    """
    orders, subject_parcel = subject_ids(subject, parcel_kind=False)
    money = find_amount(body, _REFUND_FIRST)
    subject_lowered, lowered = subject.lower(), body.lower()
    return Event(
        Kind.UNRECOGNIZED,
        order_ids=order_ids(orders, html, body),
        parcel_id=subject_parcel or parcel_id(mail.raw_html, html, body, lowered),
        amount=money[0] if money else None,
        currency=money[1] if money else None,
        language=guess_language(subject_lowered + "\n" + lowered),
        attention=bool(ATTENTION.search(subject_lowered) or ATTENTION.search(message)),
        **common,
    )

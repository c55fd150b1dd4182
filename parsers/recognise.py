"""Recognition: one mail's bytes become one Event, by the rows of the table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from parsers.amounts import find_amount
from parsers.authenticity import is_authentic
from parsers.dates import stated_deadline
from parsers.event import Event, Kind
from parsers.forwarded import find_quoted, strip_prefixes
from parsers.identifiers import order_ids, parcel_id
from parsers.matching import match
from parsers.mime import Mail, read_mail
from parsers.row import Row
from parsers.senders import SenderClass, classify
from parsers.vocabulary import (
    ATTENTION,
    PRESSURE,
    PROPOSAL_LABEL,
    REFUND_LABEL,
    TOTAL_LABEL,
    guess_language,
)

_SPACE_COLON = re.compile(r"\s+:")
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
        ),
        _REFUND_FIRST,
    ),
    Kind.SELLER_PROPOSAL: (PROPOSAL_LABEL, REFUND_LABEL, TOTAL_LABEL),
}
# Carrier scans and marketing name no amount the buyer paid or gets back, and set no date to act
# by: the dates in them are estimates.
_NO_MONEY = frozenset({Kind.PARCEL_UPDATE, Kind.PARCEL_DELIVERED, Kind.PROMOTION})
_NO_DEADLINE = frozenset({Kind.PARCEL_UPDATE, Kind.PARCEL_DELIVERED, Kind.PROMOTION})
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


def _normalise(subject: str) -> str:
    # "Commande 1234 : commande confirmée" (French typography) reads like the other languages.
    return _SPACE_COLON.sub(":", subject)


def recognise(raw: bytes, policy: AuthPolicy | None = None) -> Event:
    """Recognise one mail. Raises MailParseError only when the bytes cannot be read as mail."""
    policy = policy or AuthPolicy()
    mail = read_mail(raw)
    return _recognise(mail, policy)


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


def _recognise(mail: Mail, policy: AuthPolicy) -> Event:
    sent = mail.sent
    common: dict[str, Any] = {
        "message_id": mail.message_id,
        "sent_at": sent.isoformat().replace("+00:00", "Z") if sent else None,
        "subject": mail.subject,
        "sender": mail.from_address,
    }
    sender = classify(mail.from_address)
    subject, body, forwarded = mail.subject, mail.text, False
    if sender.cls is SenderClass.OTHER:
        quoted = find_quoted(mail.subject, mail.text)
        original = classify(quoted.address) if quoted else None
        if quoted is None or original is None or original.cls is SenderClass.OTHER:
            return Event(Kind.NOT_ALIEXPRESS, **common)
        sender, subject, body, forwarded = original, quoted.subject, quoted.body, True
    # Forwarded mail is never authentic: the forwarder's provider vouches for the forwarder.
    common["authentic"] = not forwarded and is_authentic(
        mail.auth_results, policy.trusted_authserv_ids, relayed=sender.relayed
    )
    common["sender"], common["forwarded"] = sender.address, forwarded
    if sender.cls is SenderClass.MARKETING:
        language = guess_language((subject + "\n" + body).lower())
        return Event(Kind.PROMOTION, language=language, **common)

    normalised = _normalise(strip_prefixes(subject)[0] if forwarded else subject)
    lowered, subject_lowered = body.lower(), normalised.lower()
    html_lowered = mail.raw_html.lower()
    found = match(normalised, body)
    if found is None or (found.row.kind is Kind.PROMOTION and ATTENTION.search(subject_lowered)):
        # Never silent: an AliExpress mail nobody has a row for is kept and, when it talks about
        # disputes, refunds, returns or cancellations, flagged for the user's attention.
        return Event(
            Kind.UNRECOGNIZED,
            order_ids=order_ids([], html_lowered, body),
            language=guess_language(subject_lowered + "\n" + lowered),
            attention=bool(ATTENTION.search(subject_lowered) or ATTENTION.search(lowered)),
            **common,
        )
    row, m, ties = found.row, found.subject_match, found.tie_languages
    groups = m.groupdict() if m else {}
    subject_ids = [groups["order"]] if groups.get("order") else []
    money = None
    if row.kind not in _NO_MONEY:
        money = find_amount(body, _LABELS.get(row.kind, _TOTAL_FIRST))
    deadline = None if row.kind in _NO_DEADLINE else stated_deadline(lowered)
    return Event(
        row.kind,
        order_ids=order_ids(subject_ids, html_lowered, body),
        parcel_id=groups.get("parcel") or parcel_id(mail.raw_html, html_lowered, body, lowered),
        stage=row.stage,
        partial=row.partial,
        amount=money[0] if money else None,
        currency=money[1] if money else None,
        deadline=deadline.isoformat().replace("+00:00", "Z") if deadline else None,
        language=_language(row, ties, normalised, lowered),
        pressure=row.kind in _SELLER_SPEAKS and _pressured(lowered),
        template=row.name,
        **common,
    )

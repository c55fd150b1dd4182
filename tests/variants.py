"""Variants of a fixture mail that must mean the same: relayed, re-punctuated, generic, forwarded.

Each function takes a mail's bytes and returns new bytes; the MIME body is kept as it is.
"""

from __future__ import annotations

import email
import random
import re
from collections.abc import Callable
from email.header import Header
from email.message import Message
from email.utils import formataddr, getaddresses

from aliwatch.parsers.mime import read_mail
from aliwatch.parsers.vocabulary import FORWARD_PREFIX

_RNG = random.Random(20261201)  # relay ids only need to look random, reproducibly


def _token(length: int) -> str:
    return "".join(_RNG.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(length))


def _parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw)


def _replace(message: Message, name: str, value: str) -> None:
    del message[name]
    message[name] = value


def _from(message: Message) -> tuple[str, str]:
    pairs = getaddresses([str(message.get("From", ""))])
    name, address = pairs[0] if pairs else ("", "")
    return name, address.lower()


# -- relays ---------------------------------------------------------------------------------------


def _relayed(
    raw: bytes, sender: Callable[[str, str, str], str], **extra: Callable[[str, str], str]
) -> bytes:
    """The mail with From rewritten by `sender(name, local, domain)` and relay headers added
    (each `extra` header's value made from the original From and its address)."""
    message = _parse(raw)
    original = str(message.get("From", ""))
    name, address = _from(message)
    local, _, domain = address.partition("@")
    _replace(message, "From", sender(name, local, domain))
    for header, value in extra.items():
        message[header.replace("_", "-")] = value(original, address)
    return message.as_bytes()


def apple(raw: bytes) -> bytes:
    """Apple Hide My Email: two random blocks after the encoded sender (real)."""
    return _relayed(raw, lambda name, local, domain: formataddr((name, (
        f"{local}_at_{domain.replace('.', '_')}_{_token(10)}_{_token(8)}"
        "@privaterelay.appleid.com"
    ))))  # fmt: skip


def simplelogin_reverse_alias(raw: bytes) -> bytes:
    """SimpleLogin's reverse alias, "<local>_at_<domain>_<random>", AT-format display name."""
    return _relayed(raw, lambda name, local, domain: formataddr((
        f"{name} - {local} at {domain}" if name else f"{local} at {domain}",
        f"{local}_at_{domain.replace('.', '_')}_{_token(7)}@simplelogin.co",
    )))  # fmt: skip


def simplelogin_header_only(raw: bytes) -> bytes:
    """SimpleLogin's "ra+" reverse alias with no name: the sender only in its own header."""
    return _relayed(
        raw,
        lambda *_: f"ra+{_token(16)}@simplelogin.co",
        X_SimpleLogin_Type=lambda *_: "Forward",
        X_SimpleLogin_Original_From=lambda original, _: original,
    )


def firefox(raw: bytes) -> bytes:
    """Firefox Relay: the original sender in the display name, "[via Relay]", a mozmail mask."""
    message = _parse(raw)
    display = str(Header(f"{message.get('From', '')} [via Relay]", "utf-8").encode())
    return _relayed(raw, lambda *_: f"{display} <{_token(9)}@mozmail.com>")


def duckduckgo(raw: bytes) -> bytes:
    """DuckDuckGo Email Protection: "<local>_at_<domain>_<alias>@duck.com" (dots kept)."""
    return _relayed(raw, lambda name, local, domain: formataddr(
        (name, f"{local}_at_{domain}_{_token(8)}@duck.com")
    ))  # fmt: skip


def addy(raw: bytes) -> bytes:
    """addy.io: a VERP-style reply address and the sender in X-AnonAddy-Original-Sender."""
    return _relayed(
        raw,
        lambda name, local, domain: formataddr((name, f"shop+{local}={domain}@anonaddy.me")),
        X_AnonAddy_Original_Sender=lambda _, address: address,
    )


RELAYS: dict[str, Callable[[bytes], bytes]] = {
    "apple": apple,
    "simplelogin": simplelogin_reverse_alias,
    "simplelogin-header": simplelogin_header_only,
    "firefox": firefox,
    "duckduckgo": duckduckgo,
    "addy": addy,
}


# -- subjects -------------------------------------------------------------------------------------


def _subject(message: Message) -> str:
    return read_mail(message.as_bytes()).subject


def _with_subject(raw: bytes, edit: Callable[[str], str]) -> bytes:
    message = _parse(raw)
    subject = _subject(message)
    prefix = FORWARD_PREFIX.match(subject)
    head = subject[: prefix.end()] if prefix else ""
    new = head + edit(subject[len(head) :])
    _replace(message, "Subject", str(Header(new, "utf-8").encode()) if not new.isascii() else new)
    return message.as_bytes()


def _split_encoded(raw: bytes) -> bytes:
    """The subject as several RFC 2047 encoded words, split inside words (RFC 2047 section 6.2
    joins adjacent encoded words without the space between them)."""
    message = _parse(raw)
    subject = _subject(message)
    pieces = [subject[i : i + 7] for i in range(0, len(subject), 7)]
    words = [str(Header(piece, "utf-8").encode()) for piece in pieces]
    _replace(message, "Subject", " ".join(words))
    return message.as_bytes()


SUBJECTS: dict[str, Callable[[bytes], bytes]] = {
    "no colon": lambda raw: _with_subject(raw, lambda s: s.replace(" :", "").replace(":", "")),
    "dash": lambda raw: _with_subject(raw, lambda s: re.sub(r"\s*:\s*", " - ", s)),
    "quoted status": lambda raw: _with_subject(
        raw, lambda s: re.sub(r":\s*(.+)$", r': "\1"!', s) if ":" in s else f"«{s}»"
    ),
    "upper case": lambda raw: _with_subject(raw, str.upper),
    "lower case": lambda raw: _with_subject(raw, str.lower),
    "extra words": lambda raw: _with_subject(raw, lambda s: f"[AliExpress] {s} (update)"),
    "encoded words": _split_encoded,
}

# A subject that says nothing about what happened, per language.
GENERIC = {
    "en": "An update from AliExpress",
    "de": "Neuigkeiten von AliExpress",
    "es": "Novedades de AliExpress",
    "pt": "Novidades do AliExpress",
    "pl": "Nowości od AliExpress",
    "fr": "Des nouvelles d'AliExpress",
    "ru": "Новости от AliExpress",
}


def generic_subject(raw: bytes, language: str | None) -> bytes:
    """The mail with a subject that says nothing: the kind must come from the body."""
    generic = GENERIC.get(language or "en", GENERIC["en"])
    return _with_subject(raw, lambda _: generic)


# -- forwarding -----------------------------------------------------------------------------------


def forwarded_by_hand(raw: bytes) -> bytes:
    """Forwarded from a mail client the way Gmail does: a quoted header block, then the text;
    the HTML alternative keeps the original's markup (and so its links)."""
    original = _parse(raw)
    mail = read_mail(raw)
    block = (
        "---------- Forwarded message ---------\n"
        f"From: {original.get('From', '')}\n"
        f"Date: {original.get('Date', '')}\n"
        f"Subject: {mail.subject}\n"
        "To: <buyer@example.org>\n\n"
    )
    forward = email.message.EmailMessage()
    forward["From"] = "Buyer <buyer@example.org>"
    forward["To"] = "alerts@example.org"
    forward["Subject"] = f"Fwd: {mail.subject}"
    forward["Date"] = "Mon, 01 Jun 2026 10:00:00 +0000"
    forward["Message-ID"] = f"<fwd-{_token(12)}@example.org>"
    forward.set_content("FYI\n\n" + block + mail.text)
    html_block = block.replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>\n")
    forward.add_alternative(f"<div>FYI<br><br>{html_block}</div>\n{mail.raw_html}", subtype="html")
    return forward.as_bytes()

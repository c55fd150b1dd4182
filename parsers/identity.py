"""Is this AliExpress mail? Decided from every mark a mail carries, with relays undone.

Identity is not authenticity (parsers/authenticity.py decides that): anyone can write these
marks, so they decide only whether a mail is recognised or listed as unrecognised, never whether
it is trusted. A relayed AliExpress mail is AliExpress mail all the same
(../shared/docs/aliexpress-mail.md, "Senders and headers").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from aliwatch.parsers.senders import (
    Sender,
    SenderClass,
    class_of_domain,
    classify,
    is_aliexpress_domain,
    is_relay_domain,
)

# Headers in which relays keep the original sender: SimpleLogin, addy.io (old and new names),
# and the generic ones some forwarders and list servers write.
RELAY_HEADERS = (
    "x-simplelogin-original-from",
    "x-anonaddy-original-sender",
    "x-anonaddy-original-from-header",
    "x-addy-original-sender",
    "x-original-from",
    "x-original-sender",
)
# Headers that corroborate an origin without naming the sender a person sees.
MARK_HEADERS = ("return-path", "sender", "reply-to", "message-id", "dkim-signature")
IDENTITY_HEADERS = frozenset((*RELAY_HEADERS, *MARK_HEADERS))

# An address is found from its "@" outwards, each side bounded (RFC 5321 section 4.5.3.1: 64
# octets of local part, 255 of domain): a regex run from every position of a long word was
# quadratic on hostile text (20,000 letters took seconds).
_LOCAL_TAIL = re.compile(r"[\w.+=-]{1,64}\Z", re.UNICODE)
_DOMAIN_HEAD = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)
_AT_WORD = " at "  # SimpleLogin's "AT" sender format: "name - local at domain"
_DKIM_DOMAIN = re.compile(r"(?:^|;)\s*d\s*=\s*([\w.-]+)", re.IGNORECASE)
_MESSAGE_ID_DOMAIN = re.compile(r"@([\w.-]+)>?\s*$")
# Order, tracking, dispute and feedback pages: links only AliExpress's own mail carries.
_ORDER_LINKS = (
    "aliexpress.com/p/order",
    "aliexpress.com/p/tracking",
    "aliexpress.com/p/dispute",
    "aliexpress.com/ssr/",
    "feedback.aliexpress.com",
    "trade.aliexpress.com",
    "aliexpress.ru/order",
)


@dataclass(frozen=True, slots=True)
class Mark:
    """One sign of origin: where it was found and the AliExpress address or domain it names."""

    where: str
    value: str


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a mail says it is from, once relays are undone, and every mark that says so."""

    sender: Sender
    marks: tuple[Mark, ...]
    relay: str | None

    @property
    def is_aliexpress(self) -> bool:
        """Does anything mark this as AliExpress mail (notice or marketing)?"""
        return self.sender.cls is not SenderClass.OTHER


def address_spans(text: str, separator: str = "@") -> list[tuple[int, int, int]]:
    """(start, separator index, end) of each address in `text`, in linear time."""
    spans: list[tuple[int, int, int]] = []
    at = text.find(separator)
    while at >= 0:
        local = _LOCAL_TAIL.search(text, max(0, at - 64), at)
        domain = _DOMAIN_HEAD.match(text, at + len(separator), at + len(separator) + 255)
        if local and domain and (not spans or local.start() >= spans[-1][2]):
            spans.append((local.start(), at, domain.end()))
        at = text.find(separator, at + len(separator))
    return spans


def addresses_in(text: str) -> list[str]:
    """The e-mail addresses in `text`, lower-cased, in order."""
    return [text[start:end].lower() for start, _, end in address_spans(text)]


def _addresses(text: str) -> list[str]:
    found = addresses_in(text)
    found += [
        f"{text[start:at]}@{text[at + len(_AT_WORD) : end]}".lower()
        for start, at, end in address_spans(text, _AT_WORD)
    ]
    return found


def _display_relay(display: str) -> str:
    lowered = display.lower()
    if "[via relay]" in lowered:
        return "firefox"
    if "via simplelogin" in lowered or " at " in lowered:
        return "simplelogin"
    return "display name"


def _header_marks(headers: Sequence[tuple[str, str]]) -> list[Mark]:
    marks: list[Mark] = []
    for name, value in headers:
        if name == "dkim-signature":
            domains = [m.group(1) for m in _DKIM_DOMAIN.finditer(value)]
        elif name == "message-id":
            m = _MESSAGE_ID_DOMAIN.search(value.strip())
            domains = [m.group(1)] if m else []
        elif name in MARK_HEADERS:
            domains = [a.rpartition("@")[2] for a in _addresses(value)]
        else:
            continue
        marks.extend(Mark(name, d.lower()) for d in domains if is_aliexpress_domain(d))
    return marks


def identify(
    from_address: str | None,
    from_display: str,
    headers: Sequence[tuple[str, str]],
    html_lowered: str,
    *,
    every_mark: bool = False,
) -> Identity:
    """The mail's origin from its From address and name, relay headers, header marks and links.

    `headers` are (lower-case name, value) pairs of IDENTITY_HEADERS as the mail carries them.
    The sender is the first of: the From address (a relay that encodes the original undone), an
    address in the From display name (Firefox Relay, SimpleLogin), a relay header. Failing
    those, a header mark (Return-Path, Sender, Reply-To, Message-ID, DKIM-Signature d=), or an
    AliExpress order link in mail from a relay that hides the sender, still make it AliExpress
    mail, sent by whatever From says. Once From decides, the other marks are looked for only
    with `every_mark` (for `parse --explain`): scanning a mail's links costs time.
    """
    marks: list[Mark] = []
    sender = classify(from_address)
    relay = sender.relay
    if sender.cls is not SenderClass.OTHER:
        marks.append(
            Mark("from" if relay is None else f"from ({relay} relay undone)", sender.address)
        )
        if not every_mark:
            return Identity(sender, tuple(marks), relay)
    for found, where in _named_senders(from_display, headers):
        marks.append(Mark(where, found.address))
        if sender.cls is SenderClass.OTHER:
            sender, relay = found, where.removeprefix("from display name (").rstrip(")")
    header_marks = _header_marks(headers)
    links = [link for link in _ORDER_LINKS if link in html_lowered]
    marks += [*header_marks, *(Mark("link", link) for link in links)]
    if sender.cls is SenderClass.OTHER:
        address = (from_address or "").lower()
        if header_marks:
            sender = Sender(address, class_of_domain(header_marks[0].value), sender.relayed)
        elif links and is_relay_domain(address.rpartition("@")[2]):
            relay = "hidden"
            sender = Sender(address, SenderClass.NOTICE, True, relay)
    if sender.relay != relay and relay is not None:
        sender = Sender(sender.address, sender.cls, True, relay)
    return Identity(sender, tuple(marks), relay)


def _named_senders(
    from_display: str, headers: Sequence[tuple[str, str]]
) -> Iterator[tuple[Sender, str]]:
    """AliExpress senders named in the From display name or a relay header, and where."""
    for found in map(classify, _addresses(from_display)):
        if found.cls is not SenderClass.OTHER:
            yield found, f"from display name ({_display_relay(from_display)})"
            break
    for name, value in headers:
        if name in RELAY_HEADERS:
            for found in map(classify, _addresses(value)):
                if found.cls is not SenderClass.OTHER:
                    yield found, name

"""Who sent a mail: an AliExpress notice address, AliExpress marketing, or anyone else.

Relays rewrite the sender, each in its own way (../shared/docs/aliexpress-mail.md, "Senders and
headers"); `undo_relay` recovers the original address from the rewritten one wherever the relay
keeps it in the address itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Domains whose mail is AliExpress's own.
ALIEXPRESS_DOMAINS = ("aliexpress.com", "aliexpress.ru")
# Sub-domains that send only marketing: never an event, always `promotion`.
MARKETING_PREFIXES = ("deals.", "mail.", "info.", "newarrival.", "promotion.", "edm.", "campaign.")
APPLE_RELAY_DOMAIN = "privaterelay.appleid.com"
# Relays whose own address tells nothing when the original cannot be read from it (SimpleLogin
# "ra+..." reverse aliases, Firefox Relay masks, addy.io aliases): a mail from one of them is
# AliExpress's only when another mark says so.
RELAY_DOMAINS = (
    APPLE_RELAY_DOMAIN,
    "simplelogin.co",
    "simplelogin.com",
    "simplelogin.fr",
    "slmail.me",
    "aleeas.com",
    "8alias.com",
    "8shield.net",
    "dralias.com",
    "silomails.com",
    "mozmail.com",
    "relay.firefox.com",
    "duck.com",
    "anonaddy.me",
    "anonaddy.com",
    "addy.io",
)
# "<local>_at_<domain>_<random>[_<random>...]@relay": Apple Hide My Email (real: two random
# blocks), SimpleLogin reverse aliases (underscores for dots, one block), DuckDuckGo (dots kept).
_AT_FORM = re.compile(r"^(?P<local>[a-z0-9.+-]+?)_at_(?P<rest>[a-z0-9._-]+)$")
# addy.io reply addresses: "<alias>+<local>=<domain>@<alias domain>" (VERP style).
_VERP_FORM = re.compile(
    r"^[a-z0-9._-]+\+(?P<local>[a-z0-9._-]+)=(?P<domain>[a-z0-9.-]+\.[a-z]{2,})$"
)


class SenderClass(StrEnum):
    """What the From address says about a mail's origin."""

    NOTICE = "notice"  # transactional AliExpress sender
    MARKETING = "marketing"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Sender:
    """A classified address; `address` is the original one behind a relay, `relay` names it."""

    address: str
    cls: SenderClass
    relayed: bool = False
    relay: str | None = None


def is_aliexpress_domain(domain: str) -> bool:
    """Is `domain` AliExpress's own (any sub-domain of its domains)?"""
    domain = domain.lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in ALIEXPRESS_DOMAINS)


def is_relay_domain(domain: str) -> bool:
    """Is `domain` a known relay's (the sender behind it is hidden)?"""
    domain = domain.lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in RELAY_DOMAINS)


def _relay_name(domain: str) -> str:
    for name, parents in (
        ("apple", (APPLE_RELAY_DOMAIN,)),
        ("firefox", ("mozmail.com", "relay.firefox.com")),
        ("duckduckgo", ("duck.com",)),
        ("addy", ("anonaddy.me", "anonaddy.com", "addy.io")),
    ):
        if any(domain == p or domain.endswith("." + p) for p in parents):
            return name
    return "simplelogin" if is_relay_domain(domain) else "alias"


def _aliexpress_prefix(rest: str) -> str | None:
    """The AliExpress domain at the start of an encoded "<domain>_<random>..." rest, if any.

    Dots may be written as underscores and the random blocks are any number; the domain ends at
    the first AliExpress domain its labels spell.
    """
    labels = rest.replace("_", ".").split(".")
    for end in range(2, len(labels) + 1):
        candidate = ".".join(labels[:end])
        if is_aliexpress_domain(candidate):
            return candidate
    return None


def undo_relay(address: str) -> tuple[str, str] | None:
    """(original address, relay name) when the address encodes an AliExpress sender, else None."""
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        return None
    at_form = _AT_FORM.match(local)
    if at_form:
        original_domain = _aliexpress_prefix(at_form.group("rest"))
        if original_domain:
            return f"{at_form.group('local')}@{original_domain}", _relay_name(domain)
    verp = _VERP_FORM.match(local)
    if verp and is_aliexpress_domain(verp.group("domain")):
        return f"{verp.group('local')}@{verp.group('domain')}", _relay_name(domain)
    return None


def classify(address: str | None) -> Sender:
    """Classify an address, undoing a relay that encodes the original sender in it."""
    address = (address or "").strip().lower()
    relay = None
    undone = undo_relay(address)
    if undone is not None:
        address, relay = undone
    local, _, domain = address.rpartition("@")
    relayed = relay is not None
    if not local or not is_aliexpress_domain(domain):
        return Sender(address, SenderClass.OTHER, relayed, relay)
    return Sender(address, class_of_domain(domain), relayed, relay)


def class_of_domain(domain: str) -> SenderClass:
    """NOTICE or MARKETING for an AliExpress domain, by its sub-domain."""
    if any(domain.startswith(prefix) for prefix in MARKETING_PREFIXES):
        return SenderClass.MARKETING
    return SenderClass.NOTICE

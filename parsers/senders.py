"""Who sent a mail: an AliExpress notice address, AliExpress marketing, or anyone else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Domains whose mail is AliExpress's own (docs/aliexpress-mail.md, "Senders and headers").
ALIEXPRESS_DOMAINS = ("aliexpress.com", "aliexpress.ru")
# Sub-domains that send only marketing: never an event, always `promotion`.
MARKETING_PREFIXES = ("deals.", "mail.", "info.", "newarrival.", "promotion.", "edm.", "campaign.")
APPLE_RELAY_DOMAIN = "privaterelay.appleid.com"
# transaction_at_notice_aliexpress_com_<id>@privaterelay.appleid.com (real).
_RELAY = re.compile(
    r"^(?P<local>[a-z0-9.+-]+?)_at_(?P<domain>[a-z0-9-]+(?:_[a-z0-9-]+)+?)_[a-z0-9]+$"
)


class SenderClass(StrEnum):
    """What the From address says about a mail's origin."""

    NOTICE = "notice"  # transactional AliExpress sender
    MARKETING = "marketing"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Sender:
    """A classified From address; `address` is the original one behind an Apple relay."""

    address: str
    cls: SenderClass
    relayed: bool = False


def _is_aliexpress(domain: str) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in ALIEXPRESS_DOMAINS)


def classify(address: str | None) -> Sender:
    """Classify an address (already lower-cased or not)."""
    address = (address or "").strip().lower()
    local, _, domain = address.rpartition("@")
    relayed = False
    if domain == APPLE_RELAY_DOMAIN:
        m = _RELAY.match(local)
        if m:
            relayed = True
            local, domain = m.group("local"), m.group("domain").replace("_", ".")
            address = f"{local}@{domain}"
    if not local or not _is_aliexpress(domain):
        return Sender(address, SenderClass.OTHER, relayed)
    if any(domain.startswith(prefix) for prefix in MARKETING_PREFIXES):
        return Sender(address, SenderClass.MARKETING, relayed)
    return Sender(address, SenderClass.NOTICE, relayed)

"""Order and parcel numbers from the subject, the text and the links of a mail."""

from __future__ import annotations

import re
from urllib.parse import unquote

# Parcel mails carry the order number only in links (docs/aliexpress-mail.md, "Identifiers"):
# orderId=, tradeOrderId=, o_ids= (comma-separated, %2C when URL-encoded, &amp; in raw HTML).
_LINK_IDS = re.compile(
    r"(?:[?&;]|&amp;)(?:orderId|tradeOrderId|orderIds|o_ids|order_id)=((?:[0-9]|,|%2C)+)",
    re.IGNORECASE,
)
_BARE_ID = re.compile(r"(?<![A-Za-z0-9])\d{16}(?![A-Za-z0-9])")
_SIXTEEN = re.compile(r"\d{16}")
_TRACKING_LINK = re.compile(r"(?:trackingNumber|mailNo|logisticsNo)=([A-Za-z0-9]{8,34})", re.I)
_TRACKING_TEXT = re.compile(
    r"(?:tracking (?:number|no\.?)|sendungsnummer|trackingnummer"
    r"|número de (?:seguimiento|rastreo|rastreio)|código de rastreio"
    r"|numer (?:przesyłki|śledzenia)|numéro de suivi|трек-номер|номер отслеживания)"
    r"\s*:?\s*(?P<id>(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,34})\b",
    re.IGNORECASE | re.UNICODE,
)


def order_ids(subject_ids: list[str], raw_html: str, text: str) -> tuple[str, ...]:
    """All 16-digit order numbers, subject first, then links, then plain text, without repeats."""
    found: dict[str, None] = dict.fromkeys(subject_ids)
    for source in (raw_html, text):
        for m in _LINK_IDS.finditer(source):
            for part in unquote(m.group(1)).split(","):
                if _SIXTEEN.fullmatch(part):
                    found.setdefault(part)
    for m in _BARE_ID.finditer(text):
        found.setdefault(m.group(0))
    return tuple(found)


def parcel_id(raw_html: str, text: str) -> str | None:
    """A tracking number from a link or a labelled line, when the subject gave none."""
    m = _TRACKING_LINK.search(raw_html) or _TRACKING_LINK.search(text)
    if m:
        return m.group(1)
    t = _TRACKING_TEXT.search(text)
    return t.group("id") if t else None

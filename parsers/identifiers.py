"""Order and parcel numbers from the subject, the text and the links of a mail."""

from __future__ import annotations

import re
from urllib.parse import unquote

# Parcel mails carry the order number only in links (docs/aliexpress-mail.md, "Identifiers"):
# orderId=, tradeOrderId=, o_ids= (comma-separated, %2C when URL-encoded, &amp; in raw HTML).
# Matched against the lower-cased HTML.
# Starting with a literal lets the scan skip ahead; the name must start the parameter, which is
# checked after the match: reverseOrderId= is a dispute's own number, not an order.
_LINK_IDS = re.compile(r"(?:orderids?|o_ids|order_id)=((?:[0-9]|,|%2c)+)")
_DIGIT_RUN = re.compile(r"\d{16,}")
_SIXTEEN = re.compile(r"\d{16}")
_TRACKING_LINK = re.compile(r"(?:trackingNumber|mailNo|logisticsNo)=([A-Za-z0-9]{8,34})", re.I)
_TRACKING_TEXT = re.compile(
    r"(?:tracking (?:number|no\.?)|sendungsnummer|trackingnummer"
    r"|número de (?:seguimiento|rastreo|rastreio)|código de rastreio"
    r"|numer (?:przesyłki|śledzenia)|numéro de suivi|трек-номер|номер отслеживания)"
    r"\s*:?\s*(?P<id>(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,34})\b",
    re.IGNORECASE | re.UNICODE,
)


def _glued(text: str, index: int) -> bool:
    """Is the character at `index` an ASCII letter or digit (part of a longer token)?"""
    return 0 <= index < len(text) and text[index].isascii() and text[index].isalnum()


def order_ids(subject_ids: list[str], html_lowered: str, text: str) -> tuple[str, ...]:
    """All 16-digit order numbers, subject first, then links, then plain text, without repeats.

    Links are read from the lower-cased HTML, or from the text when there is no HTML part.
    """
    found: dict[str, None] = dict.fromkeys(subject_ids)
    links = html_lowered or text.lower()
    if "=" in links:
        for m in _LINK_IDS.finditer(links):
            start = m.start() - 5 if links.endswith("trade", 0, m.start()) else m.start()
            if start > 0 and links[start - 1] not in "?&;":
                continue
            for part in unquote(m.group(1)).split(","):
                if _SIXTEEN.fullmatch(part):
                    found.setdefault(part)
    for m in _DIGIT_RUN.finditer(text):
        start, end = m.span()
        if end - start == 16 and not _glued(text, start - 1) and not _glued(text, end):
            found.setdefault(m.group(0))
    return tuple(found)


_LINK_KEYS = ("trackingnumber=", "mailno=", "logisticsno=")
_TRACKING_ID = re.compile(r"[A-Za-z0-9]{8,34}")
_LABEL_KEYS = ("track", "sendung", "seguimiento", "rastre", "przesyłki", "śledz", "suivi", "трек")


def _link_id(source: str, lowered: str) -> str | None:
    if len(source) != len(lowered):  # lower-casing changed lengths: positions would not align
        m = _TRACKING_LINK.search(source)
        return m.group(1) if m else None
    for key in _LINK_KEYS:
        pos = lowered.find(key)
        if pos >= 0 and (m := _TRACKING_ID.match(source, pos + len(key))):
            return m.group(0)
    return None


def parcel_id(raw_html: str, html_lowered: str, text: str, lowered: str) -> str | None:
    """A tracking number from a link or a labelled line, when the subject gave none."""
    # Substring search first: a case-insensitive regex over the whole mail costs more.
    found = _link_id(raw_html, html_lowered) or _link_id(text, lowered)
    if found:
        return found
    if any(key in lowered for key in _LABEL_KEYS):
        t = _TRACKING_TEXT.search(text)
        if t:
            return t.group("id")
    return None

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
    r"|sendungsverfolgungsnummer(?: lautet)?"
    r"|número de (?:seguimiento|rastreo|rastreio)|código de rastreio"
    r"|numer (?:przesyłki|śledzenia)|numéro de suivi|трек-номер|номер отслеживания)"
    r"\s*:?\s*(?P<id>(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,34})\b",
    re.IGNORECASE | re.UNICODE,
)


# Words that name what the number after them is (../shared/docs/aliexpress-mail.md, "Subject
# shapes" and "Identifiers"); matched on lower-cased text.
ORDER_WORDS = frozenset(
    {"order", "orders", "bestellung", "bestellungen", "bestell-nr", "pedido", "pedidos",
     "zamówienie", "zamówienia", "commande", "заказ", "заказу", "заказа", "encomenda"}
)  # fmt: skip
PARCEL_WORDS = frozenset(
    {"package", "parcel", "packstück", "paket", "sendung", "paquete", "paczka", "paczki",
     "colis", "посылка", "посылки", "pacote"}
)  # fmt: skip
_ID_TOKEN = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,34}(?![A-Za-z0-9])")
_WORD_BEFORE = re.compile(r"([^\W\d_][\w-]*)[\s:#.]*$", re.UNICODE)
# A multi-order mail glues a running number in front of each order number ("Bestellung
# 19999999999990001", real): one or two digits, then the sixteen.
_RUNNING = re.compile(r"(?<![0-9])([1-9][0-9]?)([0-9]{16})(?![0-9])")


def _word_before(text: str, start: int) -> str:
    m = _WORD_BEFORE.search(text, max(0, start - 40), start)
    return m.group(1).lower() if m else ""


def subject_ids(subject: str, parcel_kind: bool) -> tuple[list[str], str | None]:
    """The order numbers and the parcel id a subject names, whatever its wording.

    A number after a parcel word is a parcel; a 16-digit number is an order; any other
    identifier is the parcel of a parcel mail (they carry no order number in the subject).
    """
    orders: list[str] = []
    parcel: str | None = None
    for m in _ID_TOKEN.finditer(subject):
        token, word = m.group(0), _word_before(subject, m.start())
        if word in PARCEL_WORDS or (parcel_kind and not _SIXTEEN.fullmatch(token)):
            parcel = parcel or token
        elif _SIXTEEN.fullmatch(token):
            orders.append(token)
        elif word in ORDER_WORDS and (running := _RUNNING.fullmatch(token)):
            orders.append(running.group(2))
    return orders, parcel


def _glued(text: str, index: int) -> bool:
    """Is the character at `index` an ASCII letter or digit (part of a longer token)?"""
    return 0 <= index < len(text) and text[index].isascii() and text[index].isalnum()


def order_ids(subject_ids: list[str], html_lowered: str, text: str) -> tuple[str, ...]:
    """All 16-digit order numbers, subject first, then links, then plain text, without repeats.

    Links are read from the lower-cased HTML, or from the text when there is no HTML part. In
    text, a longer run counts when an order word stands before it and it is a running number
    glued to an order number.
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
        if _glued(text, start - 1) or _glued(text, end):
            continue
        if end - start == 16:
            found.setdefault(m.group(0))
        elif (running := _RUNNING.fullmatch(m.group(0))) and _word_before(
            text, start
        ) in ORDER_WORDS:
            found.setdefault(running.group(2))
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


# "Your package JY26CAB2C000662791 has been delivered": the message names its parcel.
_NAMED_PARCEL = re.compile(
    r"\b(?:package|parcel|paket|packstück|paquete|paczka|colis|посылка|pacote)\s+"
    r"(?P<id>(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,34})\b",
    re.IGNORECASE | re.UNICODE,
)


def parcel_id(raw_html: str, html_lowered: str, text: str, lowered: str) -> str | None:
    """A tracking number from a link, a labelled line or a parcel the message names."""
    # Substring search first: a case-insensitive regex over the whole mail costs more.
    found = _link_id(raw_html, html_lowered) or _link_id(text, lowered)
    if found:
        return found
    if any(key in lowered for key in _LABEL_KEYS):
        t = _TRACKING_TEXT.search(text)
        if t:
            return t.group("id")
    named = _NAMED_PARCEL.search(text)
    if named and not _SIXTEEN.fullmatch(named.group("id")):
        return named.group("id")
    return None

"""Money in a mail: a Decimal string and an ISO 4217 code, symbol before or after the number."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

# Symbols and words as AliExpress prints them (docs/aliexpress-mail.md, "Amounts").
_CURRENCIES: dict[str, str] = {
    "us $": "USD",
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "€": "EUR",
    "eur": "EUR",
    "zł": "PLN",
    "zl": "PLN",
    "pln": "PLN",
    "r$": "BRL",
    "brl": "BRL",
    "₽": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "rub": "RUB",
    "£": "GBP",
    "gbp": "GBP",
    "c$": "CAD",
    "ca$": "CAD",
    "cad": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "aud": "AUD",
    "mx$": "MXN",
    "mxn": "MXN",
    "chf": "CHF",
    "kč": "CZK",
    "czk": "CZK",
    "₴": "UAH",
    "uah": "UAH",
    "₺": "TRY",
    "try": "TRY",
    "₩": "KRW",
    "krw": "KRW",
    "₹": "INR",
    "inr": "INR",
    "¥": "JPY",
    "jpy": "JPY",
    "cny": "CNY",
    "sek": "SEK",
    "nok": "NOK",
    "dkk": "DKK",
}
_CUR = (
    r"(?:US\s?\$|MX\$|CA\$|AU\$|[RCA]\$|руб\.?|zł|Kč|[€$£₽₴₺₩₹¥]"
    r"|\b(?:USD|EUR|PLN|BRL|RUB|GBP|CAD|AUD|MXN|CHF|CZK|UAH|TRY|KRW|INR|JPY|CNY|SEK|NOK|DKK)\b)"
)
_NUM = r"\d{1,3}(?:[ .,\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?P<c1>{_CUR})\s?(?P<n1>{_NUM})(?![\d])|(?<![\w.,])(?P<n2>{_NUM})\s?(?P<c2>{_CUR})",
    re.IGNORECASE | re.UNICODE,
)


def _number(text: str) -> Decimal | None:
    digits = re.sub(r"[ \u00a0\u202f]", "", text)
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    sep = max(last_dot, last_comma)
    if sep >= 0:
        tail = digits[sep + 1 :]
        mixed = last_dot >= 0 and last_comma >= 0
        single = digits.count(digits[sep]) == 1
        if mixed or (single and len(tail) in (1, 2)):
            digits = re.sub(r"[.,]", "", digits[:sep]) + "." + tail
        else:
            digits = re.sub(r"[.,]", "", digits)
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def find_amount(text: str, labels: Sequence[re.Pattern[str]]) -> tuple[str, str] | None:
    """Return (decimal string, ISO code) for the amount that matters, or None.

    `labels` are tried in order of preference: the first amount carrying the most preferred
    label wins; an unlabelled mail gives its first amount.
    """
    first: tuple[str, str] | None = None
    best: tuple[int, tuple[str, str]] | None = None
    for m in _AMOUNT.finditer(text):
        symbol = re.sub(r"\s+", " ", (m.group("c1") or m.group("c2") or "").lower())
        code = _CURRENCIES.get(symbol) or _CURRENCIES.get(symbol.replace(" ", ""))
        value = _number(m.group("n1") or m.group("n2") or "")
        if code is None or value is None:
            continue
        found = (str(value), code)
        first = first or found
        before = text[max(0, m.start() - 60) : m.start()]
        for rank, label in enumerate(labels):
            if (best is None or rank < best[0]) and label.search(before):
                best = (rank, found)
                break
        if best is not None and best[0] == 0:
            break
    return best[1] if best else first

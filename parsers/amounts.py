"""Money in a mail: a Decimal and an ISO 4217 code, symbol before or after the number."""

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
# Symbols are found first (a single character class scans fast), then what stands before a "$";
# ISO codes only in capitals, and only looked for when one occurs: "try" and "sek" are words too.
_SYMBOL = re.compile(r"[€$£₽₴₺₩₹¥уłč]")  # "руб", "zł", "kč" are checked around their rare letter
_AROUND = {"у": ("р", "б"), "ł": ("z", ""), "č": ("k", "")}
_WHITESPACE = re.compile(r"\s+")
_DOLLAR_PREFIX = re.compile(r"(?:US\s?|MX|CA|AU|[RCA])$", re.IGNORECASE)
_CODES: tuple[str, ...] = ("USD", "EUR", "PLN", "BRL", "RUB", "GBP", "CAD", "AUD", "MXN", "CHF")
_CODES += ("CZK", "UAH", "TRY", "KRW", "INR", "JPY", "CNY", "SEK", "NOK", "DKK")
_CODE = re.compile(r"\b(?:" + "|".join(_CODES) + r")\b")
_NUM = r"\d{1,3}(?:[ .,\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_NUM_AFTER = re.compile(rf"\s?({_NUM})(?!\d)")
_NUM_BEFORE = re.compile(rf"(?<![\w.,])({_NUM})\s?$")


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


def _currency_marks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-case symbol) of every currency mark, in text order."""
    marks = []
    for m in _SYMBOL.finditer(text):
        start, end, char = m.start(), m.end(), m.group()
        if char in _AROUND:
            before, after = _AROUND[char]
            if (
                start == 0
                or text[start - 1].lower() != before
                or text[end : end + len(after)] != after
            ):
                continue
            start, end = start - 1, end + len(after)
            if char == "у" and text[end : end + 1] == ".":
                end += 1
        elif char == "$":
            prefix = _DOLLAR_PREFIX.search(text, max(0, start - 4), start)
            if prefix:
                start = prefix.start()
        marks.append((start, end, _WHITESPACE.sub(" ", text[start:end].lower())))
    if any(code in text for code in _CODES):
        marks.extend((m.start(), m.end(), m.group().lower()) for m in _CODE.finditer(text))
        marks.sort()
    return marks


def find_amount(text: str, labels: Sequence[re.Pattern[str]]) -> tuple[Decimal, str] | None:
    """Return (amount, ISO code) for the amount that matters, or None.

    `labels` are tried in order of preference: the first amount carrying the most preferred
    label wins; an unlabelled mail gives its first amount.
    """
    first: tuple[Decimal, str] | None = None
    best: tuple[int, tuple[Decimal, str]] | None = None
    consumed = 0
    # Currency symbols first, then the number beside them: scanning every digit of a long body
    # for a number costs more than the symbols do (benchmarks/bench_parse.py).
    for cur_start, cur_end, symbol in _currency_marks(text):
        window = text[max(consumed, cur_start - 24) : cur_start]
        before = _NUM_BEFORE.search(window)
        if before:
            number, start = before.group(1), cur_start - len(window) + before.start(1)
            consumed = cur_end
        else:
            after = _NUM_AFTER.match(text, cur_end)
            if not after:
                continue
            number, start = after.group(1), cur_start
            consumed = after.end()
        code = _CURRENCIES.get(symbol) or _CURRENCIES.get(symbol.replace(" ", ""))
        value = _number(number)
        if code is None or value is None:
            continue
        found = (value, code)
        first = first or found
        label_window = text[max(0, start - 60) : start].lower()
        for rank, label in enumerate(labels):
            if (best is None or rank < best[0]) and label.search(label_window):
                best = (rank, found)
                break
        if best is not None and best[0] == 0:
            break
    return best[1] if best else first

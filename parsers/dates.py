"""Dates: the Date header as UTC, and a deadline only where the mail states one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from aliwatch.parsers.vocabulary import DEADLINE_CUE, NOT_DEADLINE

_YEAR = re.compile(r"20\d\d")
# A date with its time and zone spans at most this far before and after its year
# ("by 23:59 PST on 3 de dezembro de 2026", "2026-12-03 23:59:59 (GMT+03:00)").
_BEFORE_YEAR, _AFTER_YEAR = 48, 40

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january januar janvier janeiro enero ene stycznia styczeń января январь janv",
        "feb february februar février fevereiro febrero lutego luty февраля февраль févr fev",
        "mar march märz mars março marzo marca marzec марта март mär",
        "apr april avril abril kwietnia kwiecień апреля апрель avr abr",
        "may mai maio mayo maja maj мая май",
        "jun june juni juin junho junio czerwca czerwiec июня июнь",
        "jul july juli juillet julho julio lipca lipiec июля июль juil",
        "aug august août agosto sierpnia sierpień августа август ago",
        "sep sept september septembre setembro septiembre września wrzesień сентября set",
        "oct october oktober octobre outubro octubre października październik октября okt out",
        "nov november novembre novembro noviembre listopada listopad ноября ноябрь",
        "dec december dezember décembre dezembro diciembre grudnia grudzień декабря dez dic déc",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = r"(?P<mon>" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + r")\.?"
_TIME = (
    r"(?:,?\s*(?:at|um|a las|às|à|в|o)?\s*"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?"
)
_TZ = (
    r"(?:\s*\(?\s*(?P<tz>(?:utc|gmt)\s?[+-]\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}"
    r"|pst|pdt|pt|pacific time|utc|gmt|cet|cest|msk|brt)\s*\)?)?"
)
# "by 23:59 PST on Dec 3, 2026": the time may come first.
_LEAD_TIME = (
    r"(?:(?P<H0>\d{1,2}):(?P<M0>\d{2})(?:\s*(?P<ampm0>[ap]\.?m\.?))?"
    + _TZ.replace("?P<tz>", "?P<tz0>")
    + r",?\s+(?:on|am|el|le|dnia|em)?\s*)?"
)
_DATE = re.compile(
    r"(?<![\w.:])" + _LEAD_TIME + r"(?:"
    r"(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})(?:T|\s)?"
    r"|(?P<num_a>\d{1,2})[./](?P<num_b>\d{1,2})[./](?P<num_y>\d{4})"
    r"|" + _MONTH.replace("mon", "mon1") + r"\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?,?\s*(?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2})(?:\.|st|nd|rd|th)?\s+(?:de\s+)?"
    + _MONTH.replace("mon", "mon2")
    + r"\s+(?:de\s+)?(?P<y2>\d{4})(?:\s*г\.?)?"
    r")" + _TIME + _TZ,
    re.UNICODE,
)

_FIXED_ZONES = {
    "PST": -8,
    "PDT": -7,
    "UTC": 0,
    "GMT": 0,
    "CET": 1,
    "CEST": 2,
    "MSK": 3,
    "BRT": -3,
}


def sent_at(value: str | None) -> datetime | None:
    """Parse a Date header into an aware UTC datetime (RFC 5322 section 3.3), or None."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        # RFC 5322 section 3.3: "-0000" means UTC with no information about the local zone.
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _nth_sunday(year: int, month: int, n: int) -> int:
    first = datetime(year, month, 1, tzinfo=UTC).weekday()  # Monday == 0
    return 1 + (6 - first) % 7 + 7 * (n - 1)


def _pacific(local: datetime) -> timezone:
    """US Pacific offset for a local wall time (DST: 2nd Sunday of March to 1st Sunday of Nov)."""
    year = local.year
    # Naive on purpose: both sides are Pacific wall-clock times.
    start = datetime(year, 3, _nth_sunday(year, 3, 2), 2)  # noqa: DTZ001
    end = datetime(year, 11, _nth_sunday(year, 11, 1), 2)  # noqa: DTZ001
    naive = local.replace(tzinfo=None)
    return timezone(timedelta(hours=-7 if start <= naive < end else -8))


def _zone(name: str | None, local: datetime) -> timezone:
    if not name or name.upper() in {"PT", "PACIFIC TIME"}:
        # Help-centre copy: the order page shows deadlines in Pacific time (PST/PDT).
        return _pacific(local)
    upper = name.upper().replace(" ", "")
    if upper in _FIXED_ZONES:
        return timezone(timedelta(hours=_FIXED_ZONES[upper]))
    match = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", upper)
    if not match:
        return _pacific(local)
    sign = -1 if match.group(1) == "-" else 1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes >= 60:
        raise ValueError(name)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(m: re.Match[str]) -> datetime | None:
    g = m.groupdict()
    if g["iso_y"]:
        year, month, day = int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"])
    elif g["num_y"]:
        a, b, year = int(g["num_a"]), int(g["num_b"]), int(g["num_y"])
        # AliExpress writes DD/MM/YYYY (real: "Delivered 30/08/2024"); MM/DD only when DD > 12.
        day, month = (b, a) if b > 12 >= a else (a, b)
    elif g["mon1"]:
        month, day, year = _MONTHS[g["mon1"].lower()], int(g["d1"]), int(g["y1"])
    else:
        month, day, year = _MONTHS[g["mon2"].lower()], int(g["d2"]), int(g["y2"])
    if not g["H"] and g["H0"]:
        g.update(H=g["H0"], M=g["M0"], ampm=g["ampm0"], tz=g["tz"] or g["tz0"])
    hour = int(g["H"]) if g["H"] else 23
    minute = int(g["M"]) if g["M"] else 59
    second = int(g["S"]) if g["S"] else (0 if g["H"] else 59)
    ampm = (g["ampm"] or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        local = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - zone applied next
        return local.replace(tzinfo=_zone(g["tz"], local)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def stated_deadline(text: str) -> datetime | None:
    """The first date lower-cased `text` announces as a deadline ("respond before ..."), or None.

    A date without a time means the end of that day; a date without a zone is read in US Pacific
    time, the zone AliExpress states its deadlines in (docs/aliexpress-mail.md).
    """
    # A stated deadline carries a year: look for dates only around a "20xx" and accept one only
    # after a deadline word. Scanning every position of a body for a date cost more than reading
    # the mail (benchmarks/bench_parse.py).
    searched_to = 0
    for year in _YEAR.finditer(text):
        start = max(searched_to, year.start() - _BEFORE_YEAR)
        searched_to = year.end()
        for m in _DATE.finditer(text, start, year.end() + _AFTER_YEAR):
            if m.start() > year.start():
                break
            before = text[max(0, m.start() - 60) : m.start()]
            if not DEADLINE_CUE.search(before) or NOT_DEADLINE.search(before):
                continue
            built = _build(m)
            if built is not None:
                return built
    return None


# "You have 15 days to open a dispute", "Der Verkäufer hat 9 Tage Zeit, ...": a period the mail
# states, counted from the mail's date (real DE: "haben Sie 15 Tage Zeit, eine Streitigkeit zu
# eröffnen", tests/fixtures/order/delivery_confirmed_de.eml). Matched on the lower-cased message;
# a range ("3-20 business days", a refund estimate) is never a window.
_WINDOW = re.compile(
    r"(?<![\d–-])(?:"
    r"(?:you|seller|store)\s+(?:has|have|has got|have got|get)\s+(?P<en>\d{1,3})\s+days?\s+to\b"
    r"|(?:haben sie|hat(?: der verkäufer)?|hast du)\s+(?P<de>\d{1,3})\s+tage?\s+zeit"
    r"|(?:tienes|tiene)\s+(?P<es>\d{1,3})\s+días?\s+para"
    r"|(?:tem|têm)\s+(?P<pt>\d{1,3})\s+dias?\s+para"
    r"|(?:masz|ma)\s+(?P<pl>\d{1,3})\s+dni\s+na"
    r"|(?:disposez de|dispose de|avez|a)\s+(?P<fr>\d{1,3})\s+jours?\s+pour"
    r"|(?:у вас есть|есть)\s+(?P<ru>\d{1,3})\s+(?:дн(?:ей|я)|день)"
    r"|(?:ответить|ответ)[^.\n]{0,30}в течение\s+(?P<ru2>\d{1,3})\s+(?:дн(?:ей|я)|день)"
    r")",
    re.UNICODE,
)
# Periods past this many days are not deadlines a mail sets (a year of "protection" is prose).
_LONGEST_WINDOW = 120


def stated_window(lowered: str) -> int | None:
    """The number of days the first window in lower-cased `lowered` gives, or None."""
    for m in _WINDOW.finditer(lowered):
        days = next(int(value) for value in m.groups() if value is not None)
        if 0 < days <= _LONGEST_WINDOW:
            return days
    return None


def written_date(line: str) -> datetime | None:
    """The date and time a quoted header line states ("Dec 17, 2025 at 3:05 AM"), or None."""
    m = _DATE.search(line.lower())
    return _build(m) if m else None

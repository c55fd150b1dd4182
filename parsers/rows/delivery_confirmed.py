"""Rows for `delivery_confirmed`: receipt confirmed ("how did it go?"); the 15-day window starts."""

from parsers.event import Kind
from parsers.row import Row

K = Kind.DELIVERY_CONFIRMED
ROWS = (
    Row(K, "en", r"how did it go", source="parser"),
    Row(K, "en", r"order {order}: (?:delivery|receipt) confirmed"),
    Row(K, "de", r"wie ist es gelaufen", source="real"),
    Row(K, "es", r"cómo ha ido", source="parser"),
    Row(K, "pl", r"jak poszło"),
    Row(K, "fr", r"comment (?:ça|cela) s'est[- ]il passé|comment s'est passée"),
    Row(K, "ru", r"как (?:всё|все) прошло"),
    Row(K, "pt", r"como foi"),
)

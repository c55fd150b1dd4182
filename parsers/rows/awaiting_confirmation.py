"""Rows for `awaiting_confirmation`: the order will soon be marked completed (protection ending)."""

from parsers.event import Kind
from parsers.row import Row

K = Kind.AWAITING_CONFIRMATION
ROWS = (
    Row(K, "en", r"awaiting confirmation", source="parser"),
    Row(K, "de", r"auf bestätigung wird gewartet", source="real"),
    Row(K, "es", r"pendiente de confirmación", source="parser"),
    Row(K, "pl", r"oczekuje na potwierdzenie"),
    Row(K, "fr", r"en attente de confirmation"),
    Row(K, "ru", r"ожидает подтверждения"),
    Row(K, "pt", r"aguardando confirmação"),
    # Body-only: the DE body (real) when the subject is generic.
    Row(K, "de", body=(r"wird in kürze als abgeschlossen markiert",), source="real"),
    Row(K, "en", body=(r"will (?:soon )?be marked as completed",)),
)

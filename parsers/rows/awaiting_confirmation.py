"""Rows for `awaiting_confirmation`: the order will soon be marked completed (protection ending)."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

K = Kind.AWAITING_CONFIRMATION
ROWS = (
    Row(K, "en", r"awaiting confirmation", source="parser"),
    Row(K, "de", r"auf bestätigung wird gewartet", source="real"),
    Row(K, "es", r"pendiente de confirmación", source="parser"),
    Row(K, "pl", r"oczekuje na potwierdzenie"),
    Row(K, "fr", r"en attente de confirmation"),
    Row(K, "ru", r"ожидает подтверждения"),
    Row(K, "pt", r"aguardando confirmação"),
    # The message itself (the DE sentence is real: "wird in Kürze als abgeschlossen markiert").
    Row(K, "en", body=(r"will (?:soon )?be (?:marked as )?completed(?: soon)?",)),
    Row(K, "de", body=(r"wird in kürze als abgeschlossen markiert|wird bald abgeschlossen",), source="real"),
    Row(K, "es", body=(r"se marcará (?:pronto )?como completado",)),
    Row(K, "pt", body=(r"será marcado como concluído|em breve será concluído",)),
    Row(K, "pl", body=(r"wkrótce zostanie oznaczone jako zakończone",)),
    Row(K, "fr", body=(r"sera bientôt marquée comme terminée",)),
    Row(K, "ru", body=(r"скоро будет (?:отмечен как )?заверш[её]н",)),
)

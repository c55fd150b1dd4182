"""Rows for `ready_to_ship`: packed and waiting for the carrier."""

from parsers.event import Kind
from parsers.row import Row

K = Kind.READY_TO_SHIP
ROWS = (
    Row(K, "en", r"ready to ship", source="parser"),
    Row(K, "de", r"bestellung {order}: versandfertig", source="real"),
    Row(K, "es", r"listo para (?:enviar|envío)"),
    Row(K, "pl", r"gotowe do wysyłki"),
    Row(K, "fr", r"prête? à être expédiée?"),
    Row(K, "ru", r"готов к отправке"),
    Row(K, "pt", r"pronto para (?:envio|enviar)"),
)

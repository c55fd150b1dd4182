"""Rows for `ready_to_ship`: packed and waiting for the carrier."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

K = Kind.READY_TO_SHIP
ROWS = (
    Row(K, "en", r"ready to ship", source="parser"),
    Row(K, "de", r"bestellung {order}: versandfertig", source="real"),
    Row(K, "es", r"listo para (?:enviar|envío)"),
    Row(K, "pl", r"gotowe do wysyłki"),
    Row(K, "fr", r"prête? à être expédiée?"),
    Row(K, "ru", r"готов к отправке"),
    Row(K, "pt", r"pronto para (?:envio|enviar)"),
    # The message itself (DE real: "wurde verpackt und ist nun bereit für den Versand").
    Row(K, "en", body=(r"(?:is|packed and is) ready to ship|ready for shipment",)),
    Row(K, "de", body=(r"ist (?:nun )?versandfertig|(?:ist nun |ist )?bereit für den versand",), source="real"),
    Row(K, "es", body=(r"listo para (?:enviar|envío|el envío)",)),
    Row(K, "pt", body=(r"pronto para (?:envio|enviar|o envio)",)),
    Row(K, "pl", body=(r"gotowe do wysyłki",)),
    Row(K, "fr", body=(r"prête? à être expédiée?",)),
    Row(K, "ru", body=(r"готов к отправке",)),
)

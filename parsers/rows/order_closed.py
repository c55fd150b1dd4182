"""Rows for `order_closed`: closed without saying why (completed, cancelled or refunded)."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

K = Kind.ORDER_CLOSED
ROWS = (
    # English even on other locales (real).
    Row(K, "en", r"your order {order} is closed", source="real"),
    Row(K, "en", r"order {order}: (?:order )?(?:closed|completed)"),
    Row(K, "de", r"bestellung {order}: (?:bestellung )?(?:geschlossen|abgeschlossen)"),
    Row(K, "de", r"ihre bestellung {order} wurde geschlossen"),
    Row(K, "es", r"tu pedido {order} (?:se ha cerrado|está cerrado)"),
    Row(K, "pl", r"zamówienie {order} zostało zamknięte"),
    Row(K, "pl", r"zamówienie zostało zamknięte"),
    Row(K, "fr", r"votre commande {order} (?:est|a été) (?:clôturée|fermée)"),
    Row(K, "ru", r"ваш заказ {order} закрыт"),
    Row(K, "pt", r"seu pedido {order} (?:foi fechado|está fechado|foi encerrado)"),
    # The message itself (EN real: "Your order N has been closed. Check order detail page ...").
    Row(K, "en", body=(r"your order (?:{order} )?(?:has been|is) closed",), source="real"),
    Row(K, "de", body=(r"ihre bestellung (?:{order} )?wurde geschlossen",)),
    Row(K, "es", body=(r"tu pedido (?:{order} )?(?:se ha cerrado|ha sido cerrado)",)),
    Row(K, "pt", body=(r"seu pedido (?:{order} )?foi (?:fechado|encerrado)",)),
    Row(K, "pl", body=(r"zamówienie (?:{order} )?zostało zamknięte",)),
    Row(K, "fr", body=(r"votre commande (?:{order} )?a été (?:clôturée|fermée)",)),
    Row(K, "ru", body=(r"ваш заказ (?:{order} )?(?:был )?закрыт",)),
)

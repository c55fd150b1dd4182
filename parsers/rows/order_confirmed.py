"""Rows for `order_confirmed`: the seller or AliExpress confirmed the order."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

K = Kind.ORDER_CONFIRMED
ROWS = (
    Row(K, "en", r"order {order}: order confirmed", source="parser"),
    Row(K, "en", r"order {order} is good to go", source="parser"),
    Row(K, "en", r"{n} orders (?:have been|were) confirmed"),
    Row(K, "de", r"bestellung {order}: (?:bestellauftrag bestätigt|bestellbestätigung)", source="real"),
    Row(K, "de", r"{n} bestellungen wurden bestätigt", source="real"),
    Row(K, "es", r"pedido {order}: pedido confirmado"),
    Row(K, "es", r"{n} pedidos (?:han sido|fueron) confirmados"),
    Row(K, "pl", r"zamówienie {order}: zamówienie potwierdzone", source="real"),
    Row(K, "fr", r"commande {order}: commande confirmée"),
    Row(K, "ru", r"заказ {order}: заказ подтвержд[её]н"),
    Row(K, "pt", r"pedido {order}: pedido confirmado"),
    Row(K, "pt", r"{n} pedidos foram confirmados"),
    # The message itself.
    Row(K, "en", body=(r"seller has confirmed your order|your order (?:{order} )?has been confirmed|orders? (?:have|has) been confirmed",)),
    Row(K, "de", body=(r"verkäufer ha(?:t|ben) ihre bestellung(?:en)? (?:{order} )?bestätigt|bestellungen wurden bestätigt",)),
    Row(K, "es", body=(r"vendedor ha confirmado tu pedido|pedidos? (?:han|ha) sido confirmados?",)),
    Row(K, "pt", body=(r"vendedor confirmou (?:o )?seu pedido",)),
    Row(K, "pl", body=(r"sprzedawca potwierdził twoje zamówienie",)),
    Row(K, "fr", body=(r"vendeur a confirmé votre commande",)),
    Row(K, "ru", body=(r"продавец подтвердил ваш заказ",)),
)

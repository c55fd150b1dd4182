"""Rows for `order_confirmed`: the seller or AliExpress confirmed the order."""

from parsers.event import Kind
from parsers.row import Row

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
)

"""Rows for `order_shipped`: handed to a carrier, fully or partly (partly first: it is narrower)."""

from parsers.event import Kind
from parsers.row import Row

K = Kind.ORDER_SHIPPED
ROWS = (
    Row(K, "en", r"order {order}: (?:order )?(?:partly|partially) shipped", partial=True),
    Row(K, "de", r"bestellung {order}: teilweise versandt", partial=True, source="real"),
    Row(K, "es", r"pedido {order}: (?:pedido )?enviado parcialmente", partial=True),
    Row(K, "pt", r"pedido {order}: (?:pedido )?parcialmente enviado", partial=True),
    Row(K, "pl", r"zamówienie {order}: (?:zamówienie )?(?:częściowo wysłane)", partial=True),
    Row(K, "fr", r"commande {order}: (?:commande )?partiellement expédiée", partial=True),
    Row(K, "ru", r"заказ {order}: (?:заказ )?частично отправлен", partial=True),
    Row(K, "en", r"order {order}: order shipped", source="real"),
    Row(K, "en", r"order {order}: collected by the carrier", source="real"),
    Row(K, "en", r"order {order} has shipped"),
    Row(K, "de", r"bestellung {order}: (?:bestellung versandt|wurde versandt)", source="real"),
    Row(K, "es", r"pedido {order}: pedido enviado", source="real"),
    Row(K, "pt", r"pedido {order}: pedido enviado"),
    Row(K, "pl", r"zamówienie {order}: zamówienie wysłane", source="parser"),
    Row(K, "fr", r"commande {order}: commande expédiée"),
    Row(K, "ru", r"заказ {order}: заказ отправлен"),
)

"""Rows for `order_placed`: the order exists and may still await payment."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

K = Kind.ORDER_PLACED
ROWS = (
    Row(K, "en", r"awaiting payment", source="parser"),
    Row(K, "en", r"order {order}: (?:order placed|payment (?:successful|received|confirmed))"),
    Row(K, "de", r"bestellung {order}: (?:bestellung aufgegeben|zahlung (?:ausstehend|erfolgreich|eingegangen))"),
    Row(K, "de", r"zahlung ausstehend"),
    Row(K, "es", r"pedido {order}: (?:pedido realizado|pago (?:pendiente|recibido|realizado))"),
    Row(K, "es", r"pago pendiente"),
    Row(K, "pl", r"zamówienie {order}: (?:zamówienie złożone|oczekuje na płatność|płatność otrzymana)"),
    Row(K, "fr", r"commande {order}: (?:commande passée|en attente de paiement|paiement reçu)"),
    Row(K, "ru", r"заказ {order}: (?:заказ оформлен|ожидает оплаты|оплата получена)"),
    Row(K, "pt", r"pedido {order}: (?:pedido realizado|aguardando pagamento|pagamento recebido)"),
    Row(K, "pt", r"aguardando pagamento"),
    # The message itself.
    Row(K, "en", body=(r"(?:haven't|have not) received your payment|(?:waiting|awaiting) (?:for )?(?:your )?payment",)),
    Row(K, "de", body=(r"zahlung ist{gap} ausstehend|warten auf (?:ihre )?zahlung",)),
    Row(K, "es", body=(r"pago (?:está )?pendiente|esperando (?:el|tu) pago",)),
    Row(K, "pt", body=(r"aguardando pagamento|pagamento ainda não foi confirmado",)),
    Row(K, "pl", body=(r"oczekuje na płatność",)),
    Row(K, "fr", body=(r"en attente de paiement",)),
    Row(K, "ru", body=(r"ожидает оплаты",)),
)

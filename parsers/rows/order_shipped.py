"""Rows for `order_shipped`: handed to a carrier, fully or partly (partly first: it is narrower)."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

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
    # "Bestellung N: Vom Kurier abgeholt" is the order's side of the parcel's first scan.
    Row(K, "de", r"bestellung {order}: vom kurier abgeholt", source="real"),
    Row(K, "es", r"pedido {order}: pedido enviado", source="real"),
    Row(K, "pt", r"pedido {order}: pedido enviado"),
    Row(K, "pl", r"zamówienie {order}: zamówienie wysłane", source="parser"),
    Row(K, "fr", r"commande {order}: commande expédiée"),
    Row(K, "ru", r"заказ {order}: заказ отправлен"),
    # The message itself; partly first. "Handed to the carrier" is a shipment, whatever the
    # subject calls it (DE real: "wurde von unserem Versandpartner abgeholt").
    Row(K, "en", body=(r"part of your order{gap} (?:has )?(?:been )?shipped|(?:partly|partially) shipped",), partial=True),
    Row(K, "de", body=(r"teil ihrer bestellung{gap} (?:wurde )?versandt|teilweise versandt",), partial=True),
    Row(K, "es", body=(r"parte de tu pedido{gap} (?:ha sido )?enviad[ao]|enviado parcialmente",), partial=True),
    Row(K, "pt", body=(r"parte do seu pedido{gap} foi enviad[ao]|parcialmente enviado",), partial=True),
    Row(K, "pl", body=(r"część (?:twojego )?zamówienia{gap} (?:została )?wysłana|częściowo wysłane",), partial=True),
    Row(K, "fr", body=(r"partie de votre commande{gap} (?:a été )?expédiée|partiellement expédiée",), partial=True),
    Row(K, "ru", body=(r"часть (?:вашего )?заказа{gap} отправлена|частично отправлен",), partial=True),
    Row(K, "en", body=(r"your order (?:{order} )?has (?:been )?shipped|(?:collected|picked up) by the carrier|handed (?:over )?to the carrier",)),
    Row(K, "de", body=(r"bestellung (?:{order} )?wurde versandt|(?:dem|an den) (?:versandunternehmen|versanddienstleister|versandpartner|spediteur) übergeben|von (?:unserem|dem|einem) versandpartner abgeholt",), source="real"),
    Row(K, "es", body=(r"tu pedido (?:{order} )?(?:ha sido|fue) enviado|entregado al transportista",)),
    Row(K, "pt", body=(r"seu pedido (?:{order} )?foi enviado|entregue à transportadora",)),
    Row(K, "pl", body=(r"twoje zamówienie (?:{order} )?zostało wysłane|przekazane przewoźnikowi",)),
    Row(K, "fr", body=(r"votre commande (?:{order} )?a été expédiée|remise au transporteur",)),
    Row(K, "ru", body=(r"ваш заказ (?:{order} )?(?:был )?отправлен|передан перевозчику",)),
)

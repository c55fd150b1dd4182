"""Rows for `delivery_confirmed`: receipt confirmed ("how did it go?"); the 15-day window starts."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

K = Kind.DELIVERY_CONFIRMED
ROWS = (
    Row(K, "en", r"how did it go", source="parser"),
    Row(K, "en", r"order {order} (?:delivery|receipt) confirmed"),
    Row(K, "de", r"wie ist es gelaufen", source="real"),
    Row(K, "es", r"cómo ha ido", source="parser"),
    Row(K, "pl", r"jak poszło"),
    Row(K, "fr", r"comment (?:ça|cela) s'est[- ]il passé|comment s'est passée"),
    Row(K, "ru", r"как (?:всё|все) прошло"),
    Row(K, "pt", r"como foi"),
    # The message itself (DE real: "Wir haben die Lieferung Ihrer Bestellung N bestätigt").
    Row(K, "en", body=(r"(?:you(?:'ve| have)|we(?:'ve| have)) confirmed (?:the )?(?:receipt|delivery) of (?:your )?order",)),
    Row(K, "de", body=(r"(?:sie haben den erhalt|wir haben die lieferung) ihrer bestellung{gap} bestätigt",), source="real"),
    Row(K, "es", body=(r"has confirmado la recepción de tu pedido|hemos confirmado la entrega de tu pedido",)),
    Row(K, "pt", body=(r"você confirmou o recebimento do seu pedido|confirmamos a entrega do seu pedido",)),
    Row(K, "pl", body=(r"potwierdziłeś odbiór{gap} zamówienia|potwierdziliśmy dostarczenie",)),
    Row(K, "fr", body=(r"vous avez confirmé la réception de votre commande|nous avons confirmé la livraison de votre commande",)),
    Row(K, "ru", body=(r"вы подтвердили получение заказа|мы подтвердили доставку",)),
)

"""Rows for `parcel_update`: a parcel moved; each row names the stage it reports."""

from parsers.event import Kind
from parsers.row import Row

K = Kind.PARCEL_UPDATE
ROWS = (
    # departed
    Row(K, "en", r"package {parcel}: left the departure region", stage="departed", source="real"),
    Row(K, "de", r"packstück {parcel}: hat die abflugregion verlassen", stage="departed", source="real"),
    Row(K, "es", r"paquete {parcel}: (?:ha )?salido de la región de origen", stage="departed"),
    Row(K, "pl", r"paczka {parcel}: opuściła region nadania", stage="departed"),
    Row(K, "fr", r"colis {parcel}: a quitté la région de départ", stage="departed"),
    Row(K, "ru", r"посылка {parcel}: покинула регион отправления", stage="departed"),
    Row(K, "pt", r"pacote {parcel}: saiu da região de partida", stage="departed"),
    # customs cleared (before "customs": narrower)
    Row(K, "en", r"package {parcel} has cleared customs", stage="customs_cleared", source="real"),
    Row(K, "de", r"zollabfertigung für {parcel} wurde beendet", stage="customs_cleared", source="real"),
    Row(K, "es", r"el paquete {parcel} ha pasado la aduana", stage="customs_cleared", source="real"),
    Row(K, "pl", r"paczka {parcel}: odprawa celna zakończona", stage="customs_cleared"),
    Row(K, "fr", r"colis {parcel}: (?:a été )?dédouané", stage="customs_cleared"),
    Row(K, "ru", r"посылка {parcel}: прошла таможню", stage="customs_cleared"),
    Row(K, "pt", r"pacote {parcel}: liberado (?:na|pela) alfândega", stage="customs_cleared"),
    # customs
    Row(K, "en", r"package {parcel}: at customs", stage="customs", source="real"),
    Row(K, "de", r"packstück {parcel}: beim zoll", stage="customs", source="real"),
    Row(K, "es", r"paquete {parcel}: en aduanas?", stage="customs", source="real"),
    Row(K, "pl", r"paczka {parcel}: w urzędzie celnym", stage="customs"),
    Row(K, "fr", r"colis {parcel}: en douane", stage="customs"),
    Row(K, "ru", r"посылка {parcel}: на таможне", stage="customs"),
    Row(K, "pt", r"pacote {parcel}: na alfândega", stage="customs"),
    # in the buyer's country
    Row(K, "en", r"package {parcel}: in your country", stage="in_country", source="real"),
    Row(K, "de", r"packstück {parcel}: in ihrem land", stage="in_country", source="real"),
    Row(K, "es", r"paquete {parcel}: en tu país", stage="in_country"),
    Row(K, "pl", r"paczka {parcel}: w twoim kraju", stage="in_country"),
    Row(K, "fr", r"colis {parcel}: dans votre pays", stage="in_country"),
    Row(K, "ru", r"посылка {parcel}: в вашей стране", stage="in_country"),
    Row(K, "pt", r"pacote {parcel}: no seu país", stage="in_country"),
    # with the local carrier
    Row(K, "en", r"package {parcel}: (?:with local carrier|in local transit)", stage="local_carrier", source="real"),
    Row(K, "de", r"packstück {parcel}: mit lokalem kurier", stage="local_carrier", source="real"),
    Row(K, "es", r"paquete {parcel}: con (?:el )?transportista local", stage="local_carrier"),
    Row(K, "pl", r"paczka {parcel}: u lokalnego przewoźnika", stage="local_carrier"),
    Row(K, "fr", r"colis {parcel}: (?:chez le|avec le) transporteur local", stage="local_carrier"),
    Row(K, "ru", r"посылка {parcel}: у местного перевозчика", stage="local_carrier"),
    Row(K, "pt", r"pacote {parcel}: com (?:a )?transportadora local", stage="local_carrier"),
    # out for delivery
    Row(K, "en", r"package {parcel} is out for delivery", stage="out_for_delivery", source="real"),
    Row(K, "de", r"packstück {parcel}: in zustellung", stage="out_for_delivery"),
    Row(K, "es", r"paquete {parcel}: en reparto", stage="out_for_delivery"),
    Row(K, "pl", r"paczka {parcel}: w doręczeniu", stage="out_for_delivery"),
    Row(K, "fr", r"colis {parcel}: en cours de livraison", stage="out_for_delivery"),
    Row(K, "ru", r"посылка {parcel}: передана курьеру", stage="out_for_delivery"),
    Row(K, "pt", r"pacote {parcel}: saiu para entrega", stage="out_for_delivery"),
    # in transit / generic updates (stage unknown unless stated)
    Row(K, "de", r"packstück {parcel}: vom kurier abgeholt", stage="in_transit", source="real"),
    Row(K, "de", r"bestellung {order}: paket im transit", stage="in_transit", source="real"),
    Row(K, "en", r"package {parcel}: in transit", stage="in_transit"),
    Row(K, "de", r"packstück {parcel}: hat eine aktualisierung", source="real"),
    Row(K, "es", r"actualización del paquete {parcel}", source="real"),
    Row(K, "es", r"tus {n} paquetes tienen actualizaciones de entrega", source="real"),
    Row(K, "en", r"(?:update on|update for) (?:your )?package {parcel}"),
    Row(K, "en", r"your {n} packages have (?:delivery )?updates"),
)

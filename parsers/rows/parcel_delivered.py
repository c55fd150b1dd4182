"""Rows for `parcel_delivered`: the carrier reports delivery (not the buyer's confirmation)."""

from parsers.event import Kind
from parsers.row import Row

K = Kind.PARCEL_DELIVERED
ROWS = (
    Row(K, "en", r"package {parcel} has been delivered", source="real"),
    Row(K, "de", r"paket {parcel} wurde zugestellt", source="real"),
    Row(K, "de", r"sendung zugestellt", source="real"),
    Row(K, "es", r"paquete {parcel} entregado", source="real"),
    Row(K, "pl", r"paczka {parcel} została dostarczona"),
    Row(K, "fr", r"colis {parcel} (?:a été )?livré"),
    Row(K, "ru", r"посылка {parcel} доставлена"),
    Row(K, "pt", r"pacote {parcel} (?:foi )?entregue"),
)

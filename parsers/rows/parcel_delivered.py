"""Rows for `parcel_delivered`: the carrier reports delivery (not the buyer's confirmation)."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

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
    # The message itself (EN real: "Your package N has been successfully delivered!").
    Row(K, "en", body=(r"(?:package|parcel){gap} has been (?:successfully )?delivered",), source="real"),
    Row(K, "de", body=(r"(?:paket|packstück|sendung){gap} wurde zugestellt",)),
    Row(K, "es", body=(r"paquete{gap} (?:se ha entregado|ha sido entregado)",)),
    Row(K, "pt", body=(r"pacote{gap} foi entregue",)),
    Row(K, "pl", body=(r"paczka{gap} została dostarczona",)),
    Row(K, "fr", body=(r"colis{gap} a été livré",)),
    Row(K, "ru", body=(r"посылка{gap} (?:была )?доставлена",)),
)

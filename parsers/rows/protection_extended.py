"""Rows for `protection_extended`: the seller extended the buyer-protection timer."""

from parsers.event import Kind
from parsers.row import Row

K = Kind.PROTECTION_EXTENDED
ROWS = (
    Row(K, "en", r"protection (?:period |time )?(?:has been |was )?extended|extended (?:the |your )?(?:buyer )?protection"),
    Row(K, "de", r"käuferschutz (?:wurde )?verlängert"),
    Row(K, "es", r"protección (?:del comprador )?(?:ha sido )?(?:ampliada|extendida)"),
    Row(K, "pt", r"proteção (?:do comprador )?(?:foi )?(?:estendida|prorrogada)"),
    Row(K, "pl", r"ochron[ay] kupującego (?:została )?przedłużon[ao]"),
    Row(K, "fr", r"protection (?:de l'acheteur )?(?:a été )?prolongée"),
    Row(K, "ru", r"защита покупателя продлена"),
)

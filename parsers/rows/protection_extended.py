"""Rows for `protection_extended`: the seller extended the buyer-protection timer."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

K = Kind.PROTECTION_EXTENDED
ROWS = (
    Row(K, "en", r"protection (?:period |time )?(?:has been |was )?extended|extended (?:the |your )?(?:buyer )?protection"),
    Row(K, "de", r"käuferschutz (?:wurde )?verlängert"),
    Row(K, "es", r"protección (?:del comprador )?(?:ha sido )?(?:ampliada|extendida)"),
    Row(K, "pt", r"proteção (?:do comprador )?(?:foi )?(?:estendida|prorrogada)"),
    Row(K, "pl", r"ochron[ay] kupującego (?:została )?przedłużon[ao]"),
    Row(K, "fr", r"protection (?:de l'acheteur )?(?:a été )?prolongée"),
    Row(K, "ru", r"защита покупателя продлена"),
    # The message itself.
    Row(K, "en", body=(r"extended the buyer protection|buyer protection{gap} (?:has been|was) extended",)),
    Row(K, "de", body=(r"käuferschutz{gap} verlängert",)),
    Row(K, "es", body=(r"(?:ampliado|extendido) la protección del comprador|protección del comprador{gap} (?:ampliada|extendida)",)),
    Row(K, "pt", body=(r"estendeu a proteção do comprador|proteção do comprador foi (?:estendida|prorrogada)",)),
    Row(K, "pl", body=(r"przedłużył ochronę kupującego|ochrona kupującego została przedłużona",)),
    Row(K, "fr", body=(r"prolongé la protection de l'acheteur|protection de l'acheteur a été prolongée",)),
    Row(K, "ru", body=(r"продлил защиту покупателя|защита покупателя{gap} продлена",)),
)

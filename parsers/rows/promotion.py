"""Rows for `promotion` sent from a notice address (coupons, surveys); marketing domains skip rows."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

K = Kind.PROMOTION
ROWS = (
    Row(K, "en", r"\bcoupons?\b|\bsurvey\b|\bdeals?\b|{n} off\b|\bsale\b|rate your (?:experience|purchase)"),
    Row(K, "de", r"gutschein|umfrage|angebote?\b|rabatt"),
    Row(K, "es", r"cupón|cupones|encuesta|ofertas?\b|descuento"),
    Row(K, "pt", r"cupom|cupons|pesquisa|ofertas?\b|desconto"),
    Row(K, "pl", r"kupon|ankieta|promocj|rabat"),
    Row(K, "fr", r"coupon|sondage|promo|réduction"),
    Row(K, "ru", r"купон|опрос|скидк|распродаж"),
    # The message itself: coupons and surveys. Weak: an order mail may mention a coupon.
    Row(K, "en", body=(r"\b(?:a|your) coupon\b|\bour survey\b",), weak=True),
    Row(K, "de", body=(r"\bihr gutschein\b|\bunsere umfrage\b",), weak=True),
    Row(K, "es", body=(r"\btu cupón\b|\bnuestra encuesta\b",), weak=True),
    Row(K, "pt", body=(r"\bseu cupom\b|\bnossa pesquisa\b",), weak=True),
    Row(K, "pl", body=(r"\bkupon o wartości\b|\bnaszą ankietę\b",), weak=True),
    Row(K, "fr", body=(r"\bvotre coupon\b|\bnotre sondage\b",), weak=True),
    Row(K, "ru", body=(r"\bваш купон\b|\bнаш опрос\b",), weak=True),
)

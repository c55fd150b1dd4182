"""Rows for `promotion` sent from a notice address (coupons, surveys); marketing domains skip rows."""

from parsers.event import Kind
from parsers.row import Row

K = Kind.PROMOTION
ROWS = (
    Row(K, "en", r"\bcoupons?\b|\bsurvey\b|\bdeals?\b|% off|\bsale\b|rate your (?:experience|purchase)"),
    Row(K, "de", r"gutschein|umfrage|angebote?\b|rabatt"),
    Row(K, "es", r"cupón|cupones|encuesta|ofertas?\b|descuento"),
    Row(K, "pt", r"cupom|cupons|pesquisa|ofertas?\b|desconto"),
    Row(K, "pl", r"kupon|ankieta|promocj|rabat"),
    Row(K, "fr", r"coupon|sondage|promo|réduction"),
    Row(K, "ru", r"купон|опрос|скидк|распродаж"),
)

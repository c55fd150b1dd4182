"""Amounts become a Decimal and an ISO 4217 code."""

from decimal import Decimal

import pytest

from aliwatch.parsers.amounts import find_amount
from aliwatch.parsers.vocabulary import PROPOSAL_LABEL, REFUND_LABEL, TOTAL_LABEL


def found(text, labels):
    """`find_amount` with the amount as text: Decimal("1.9") equals Decimal("1.90")."""
    result = find_amount(text, labels)
    if result is None:
        return None
    assert isinstance(result[0], Decimal)
    return str(result[0]), result[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("€ 1,99x1", ("1.99", "EUR")),
        ("Bestellsumme 1,99€", ("1.99", "EUR")),
        ("Całkowita kwota zamówienia 3,69zł", ("3.69", "PLN")),
        ("Total: US $12.34", ("12.34", "USD")),
        ("Total R$ 1.234,56", ("1234.56", "BRL")),
        ("Итого 1 234 руб.", ("1234", "RUB")),
        ("Total 2 499 ₽", ("2499", "RUB")),
        ("Total US $1,234.50", ("1234.50", "USD")),
        ("Gesamtbetrag 12,30 EUR", ("12.30", "EUR")),
    ],
)
def test_amount_and_currency(text, expected):
    assert found(text, labels=(TOTAL_LABEL,)) == expected


def test_labelled_total_wins_over_first_amount():
    text = "Item € 1,99x2\nShipping € 0,50\nTotal € 4,48"
    assert found(text, labels=(TOTAL_LABEL,)) == ("4.48", "EUR")


def test_refund_label_wins_in_dispute_mail():
    text = "Order total: US $23.40\nProposed refund: US $0.00"
    assert found(text, (REFUND_LABEL, TOTAL_LABEL)) == ("0.00", "USD")


def test_proposal_wins_over_the_buyers_refund_only_request():
    # The $0 proposal is the case buyers lose money to (docs/aliexpress-mail.md).
    text = "Your request: Refund only, US $23.40\nProposed refund: US $0.00"
    assert found(text, (PROPOSAL_LABEL, REFUND_LABEL, TOTAL_LABEL)) == ("0.00", "USD")
    german = "Ihre Anfrage: Nur Rückerstattung, 23,40 €\nVorschlag des Verkäufers: 0,00 €"
    assert found(german, (PROPOSAL_LABEL, REFUND_LABEL, TOTAL_LABEL)) == ("0.00", "EUR")


def test_no_amount_gives_none():
    assert found("Your package has left the departure region", labels=(TOTAL_LABEL,)) is None


def test_subtotal_is_not_the_total():
    text = "Subtotal US $14.00\nShipping US $1.84\nTotal US $15.84"
    assert found(text, (TOTAL_LABEL,)) == ("15.84", "USD")
    assert found("Zwischensumme 14,00 €\nGesamtbetrag 15,84 €", (TOTAL_LABEL,)) == (
        "15.84",
        "EUR",
    )


def test_english_words_that_spell_a_currency_code_are_not_currencies():
    assert found("Please try 3 times", (TOTAL_LABEL,)) is None


def test_amounts_on_both_sides_of_symbols_pair_correctly():
    assert found("Versand 1,99 € 2,50 €", (TOTAL_LABEL,)) == ("1.99", "EUR")

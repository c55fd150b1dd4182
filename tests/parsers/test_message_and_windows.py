"""A mail's own message (no navigation, no footer), relative windows, ids named anywhere."""

from __future__ import annotations

from aliwatch.parsers.dates import stated_window
from aliwatch.parsers.identifiers import order_ids, subject_ids
from aliwatch.parsers.message import own_message


def test_navigation_lines_and_the_footer_are_not_the_message():
    body = (
        "verfolgung ihrer sendung\nfast delivery\nfree returns\nsie ist unterwegs\n"
        "hallo max,\nihre bestellung ist unterwegs.\n"
        "diese e-mail wurde an max@example.org gesendet. bitte antworten sie nicht.\n"
        "rückgabe & rückerstattung im hilfe-center\n"
    )
    message = own_message(body)
    assert "free returns" not in message and "fast delivery" not in message
    assert "ihre bestellung ist unterwegs" in message
    assert "rückerstattung" not in message  # after the footer started


def test_a_line_that_only_mentions_a_navigation_word_stays():
    assert "ihr käuferschutz wurde verlängert" in own_message("ihr käuferschutz wurde verlängert")


def test_windows_the_mail_states_in_each_language():
    cases = {
        "if something is wrong, you have 15 days to open a dispute.": 15,
        "haben sie 15 tage zeit, eine streitigkeit zu eröffnen": 15,
        "der verkäufer hat 9 tage zeit, ihre anfrage zu bearbeiten": 9,
        "tienes 15 días para abrir una disputa": 15,
        "você tem 15 dias para abrir uma disputa": 15,
        "vous disposez de 15 jours pour ouvrir un litige": 15,
        "masz 15 dni na otwarcie sporu": 15,
        "продавец должен ответить на спор в течение 5 дней": 5,
    }
    for text, days in cases.items():
        assert stated_window(text) == days, text


def test_estimates_and_ranges_are_no_window():
    assert stated_window("the refund arrives within 3-20 business days") is None
    assert stated_window("eine entscheidung erhalten sie innerhalb von 7 tagen") is None
    assert stated_window("you have 400 days to enjoy it") is None


def test_subject_numbers_are_found_whatever_the_wording():
    assert subject_ids("Bestellung 9999999999990005 wurde versandt", parcel_kind=False) == (
        ["9999999999990005"],
        None,
    )
    assert subject_ids("Packstück LR999999990NL hat eine Aktualisierung", parcel_kind=True) == (
        [],
        "LR999999990NL",
    )
    assert subject_ids("Paquete 002160735840912347 entregado", parcel_kind=True) == (
        [],
        "002160735840912347",
    )


def test_running_numbers_glued_to_order_numbers_in_a_multi_order_mail():
    text = (
        "Bestellung 19999999999990001\nArtikel\nBestellung 29999999999990002\n"
        "Summe 12345678901234567"  # a long number after no order word is not an order
    )
    assert order_ids([], "", text) == ("9999999999990001", "9999999999990002")

"""Folding: what must not change a match (case, accents, ue/ü, punctuation, numbers)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from aliwatch.parsers.fold import fold, fold_pattern


def test_umlauts_their_spellings_and_case_meet():
    assert fold("Bestätigung") == fold("BESTAETIGUNG") == fold("bestätigung!") == "bestatigung"
    assert fold("Packstück") == fold("Packstueck") == "packstuck"


def test_numbers_and_identifiers_become_one_mark():
    assert fold("Bestellung 8200734481260014: versandt") == "bestellung # versandt"
    assert fold("Packstück JY26CBB3E000728415 beim Zoll") == "packstuck # beim zoll"


def test_punctuation_is_a_gap_between_words():
    assert fold("Commande 81 : comment s’est passée ?") == fold("commande 81 comment s est passee")


def test_scripts_other_than_latin_are_kept():
    assert fold("Заказ 8100823347910052: готов к отправке") == "заказ # готов к отправке"


def test_a_row_pattern_matches_the_text_it_was_written_for_whatever_its_punctuation():
    pattern = re.compile(
        fold_pattern(r"bestellung {order}: (?:bestellung versandt|wurde versandt)")
    )
    for subject in (
        "Bestellung 9999999999990005: wurde versandt",
        "Bestellung 9999999999990005 wurde versandt",
        "BESTELLUNG 9999999999990005 – WURDE VERSANDT!",
    ):
        assert pattern.search(fold(subject)), subject
    assert not pattern.search(fold("Bestellung 9999999999990005: versandfertig"))


def test_an_optional_apostrophe_and_gaps_fold_too():
    assert re.search(fold_pattern(r"seller'?s proposal"), fold("Seller's proposal"))
    assert re.search(fold_pattern(r"seller'?s proposal"), fold("sellers proposal"))
    gap = fold_pattern(r"stornierungsanfrage{gap} abgelehnt")
    assert re.search(gap, fold("Ihre Stornierungsanfrage für die Bestellung 1 wurde abgelehnt"))


WORDS = st.lists(st.text("abcdefghijklmnopqrstuvwxyzäöüé", min_size=1, max_size=8), min_size=1)
PUNCTUATION = st.sampled_from([" ", ": ", " - ", ", ", "! ", " « ", "' ", " / "])


@given(WORDS, st.lists(PUNCTUATION, min_size=1))
def test_punctuation_between_words_never_changes_the_folded_text(words, marks):
    plain = " ".join(words)
    punctuated = "".join(w + marks[i % len(marks)] for i, w in enumerate(words))
    assert fold(punctuated) == fold(plain)


@given(st.text(st.characters(blacklist_categories=("Nd", "No")), max_size=80))
def test_folding_folded_words_changes_nothing(text):
    # (Digits are left out: a folded number is "#", which is not a word.)
    assert fold(fold(text)) == fold(text)


def test_a_hash_the_text_writes_is_punctuation():
    assert fold("Order #8200734481260014: order shipped") == "order # order shipped"


@given(st.text(alphabet=st.sampled_from("ab1é9_ .-#Ä"), max_size=60))
def test_every_word_holding_a_digit_and_only_those_become_the_mark(text):
    """Numbers are found at word starts only (a long digitless word was quadratic): the same
    words are masked as by the plain definition, a maximal run of letters and digits."""
    expected = re.sub(
        r"[^\W_]+",
        lambda m: "#" if any(c.isdigit() for c in m.group(0)) else m.group(0),
        text.lower().replace("#", " "),
    )
    assert fold(text) == fold(expected.replace("#", "0"))

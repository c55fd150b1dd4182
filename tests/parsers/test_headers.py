"""Subject decoding agrees with the stdlib's policy.default, fast path or not."""

from __future__ import annotations

import base64
from email import policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliwatch.parsers.mime import _decode, _simple_utf8_words, read_mail


def stdlib(value: str) -> str:
    return str(policy.default.header_factory("subject", value))


def q_word(text: str) -> str:
    encoded = "".join(
        "_" if b == 0x20 else chr(b) if b < 0x80 and chr(b).isalnum() else f"={b:02X}"
        for b in text.encode()
    )
    return f"=?utf-8?q?{encoded}?="


def b_word(text: str) -> str:
    return f"=?UTF-8?B?{base64.b64encode(text.encode()).decode()}?="


def test_space_after_an_encoded_word_survives():
    value = "Bestellung 9999999999990008: auf =?utf-8?q?Best=C3=A4tigung?= wird gewartet"
    assert _decode("subject", value) == stdlib(value)
    assert "Bestätigung wird" in _decode("subject", value)
    assert _simple_utf8_words(value) is not None  # the fast path answered, not the fallback


def test_space_between_two_encoded_words_is_dropped():
    value = f"{q_word('Zollabfertigung für')} {b_word(' JY26CAA0D000551012')}"
    assert _decode("subject", value) == stdlib(value) == "Zollabfertigung für JY26CAA0D000551012"


words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12
)
piece = st.one_of(
    words.map(q_word),
    words.map(b_word),
    st.text(alphabet="abcXYZ0189:=?_-.", min_size=1, max_size=12),
    st.sampled_from(
        ["=?utf-8?q?broken", "=?utf-8?b?@@@?=", "x=?utf-8?q?a?=", "=?iso-8859-1?q?=E4?="]
    ),
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(piece, min_size=1, max_size=6),
    st.lists(st.sampled_from([" ", "  ", "\t"]), min_size=6, max_size=6),
)
def test_decoding_matches_policy_default(pieces, gaps):
    value = "".join(p + g for p, g in zip(pieces, gaps, strict=False)).strip()
    assert _decode("subject", value) == stdlib(value)


BODY = b"\r\n\r\nIhre Bestellung 8200000000000001 wurde versandt.\r\n"


def sender_of(from_value: bytes) -> str | None:
    return read_mail(
        b"From: " + from_value + b"\r\nSubject: Bestellung 8200000000000001" + BODY
    ).from_address


@pytest.mark.parametrize(
    "from_value",
    [
        b'\xe0{\xfe\xe9\x1c\x06\xd2#F "AliExpress" <transaction@notice.aliexpress.com>',
        b"=?utf-8*en?B?T3JkZXI=?= =?utf-16?b?2D3eAA==?= <transaction@notice.aliexpress.com>",
        b"m\xa3\x08h\xa8: \x19\xd1 o\xce\xc8w: transaction@notice.aliexpress.com",
        b"=?utf-8?q?a=0D=0ABcc:_x@evil.example?= <transaction@notice.aliexpress.com>",
        b'=?utf-8?q?a=0D=0ABcc:_\xb2@evil.example?= =?E\xdfaaa?q?x?= "AliExpress"'
        b" <transaction@notice.aliexpress.com>",
    ],
)
def test_the_address_that_ends_from_survives_a_display_name_no_parser_reads(from_value):
    """Garbage or a decoded "Bcc: x@evil" in the display name neither hides the sender nor
    becomes it (make fuzz dropped such AliExpress mail as not AliExpress)."""
    assert sender_of(from_value) == "transaction@notice.aliexpress.com"


def test_a_plain_from_keeps_mail_parser_reading():
    assert sender_of(b'"Shop, Inc." <Info@Shop.example>') == "info@shop.example"
    assert sender_of(b"info@shop.example") == "info@shop.example"

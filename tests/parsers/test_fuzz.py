"""Hostile and broken mail never makes recognition raise anything but MailParseError."""

from __future__ import annotations

import base64
import json
import re
from email import message_from_bytes, policy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aliwatch.parsers import KINDS, MailParseError, recognise
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures"
SEED = (
    b"Authentication-Results: mx.example.net; dkim=pass header.d=notice.aliexpress.com\r\n"
    b"From: AliExpress <transaction@notice.aliexpress.com>\r\n"
    b"Subject: =?utf-8?q?Bestellung_8200000000000001:_auf_Best=C3=A4tigung?= wird\r\n"
    b" gewartet\r\n"
    b"Date: Mon, 03 Nov 2025 01:02:03 -0800\r\n"
    b"Message-ID: <seed@notice.aliexpress.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
    b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIhre Bestellung 8200000000000001\r\n"
    b"--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
    b'\r\n\r\n<p>Gesamtbetrag 1,99&euro; <a href=3D"x?orderId=3D8200000000000001">x</a></p>\r\n'
    b"--b1--\r\n"
)
SEEDS = [SEED, *(p.read_bytes() for p in sorted(FIXTURES.rglob("*.eml"))[:40])]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _check(raw: bytes) -> None:
    try:
        event = recognise(raw)
    except MailParseError:
        return
    data = event.to_json()
    assert data["kind"] in KINDS
    # As the store writes it (daemon/store/codec.py): a lone surrogate would raise there.
    json.dumps(data, ensure_ascii=False).encode("utf-8")
    for name in ("subject", "message_id", "sender"):
        assert data[name] is None or not _CONTROL.search(data[name]), name


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 8))):
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "nul", "dup"]))
        pos = draw(st.integers(0, max(0, len(raw) - 1)))
        if action == "flip" and raw:
            raw[pos] = draw(st.integers(0, 255))
        elif action == "insert":
            raw[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif action == "delete":
            del raw[pos : pos + draw(st.integers(1, 200))]
        elif action == "truncate":
            del raw[pos:]
        elif action == "nul":
            raw[pos:pos] = b"\x00" * draw(st.integers(1, 16))
        elif action == "dup":
            raw[pos:pos] = raw[pos : pos + draw(st.integers(1, 500))]
    return bytes(raw)


FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated())
def test_mutated_fixtures_never_raise(raw):
    _check(raw)


@FUZZ
@given(
    st.sampled_from(SEEDS),
    st.text(min_size=0, max_size=30).map(lambda s: s.encode("utf-8", "replace")),
)
def test_bad_charsets_never_raise(raw, charset):
    value = b"charset=" + charset.replace(b"\n", b"")
    _check(re.sub(rb"charset=\"?[\w-]+\"?", lambda _: value, raw))


@FUZZ
@given(st.sampled_from(SEEDS), st.binary(max_size=40))
def test_broken_boundaries_never_raise(raw, boundary):
    value = b'boundary="' + boundary + b'"'
    _check(re.sub(rb'boundary="?([^";\r\n]+)"?', lambda _: value, raw, count=1))


@FUZZ
@given(
    st.sampled_from(["utf-8", "utf-16", "utf-7", "iso-8859-1", "x-unknown", "\xfftf-8"]),
    st.binary(max_size=60),
    st.binary(max_size=30),
)
def test_undecodable_sender_names_become_text_a_store_can_write(charset, encoded, raw8):
    """Undecodable bytes in the From display name (found by make fuzz, where the store then
    refused the event's sender) come out as valid text, whether encoded words or raw 8-bit."""
    word = b"=?" + charset.encode("latin-1") + b"?b?" + base64.b64encode(encoded) + b"?="
    name = word + b" " + raw8.replace(b"\r", b"").replace(b"\n", b"").replace(b'"', b"")
    _check(SEED.replace(b"From: AliExpress <", b'From: "' + name + b'" <', 1))
    relayed = b"transaction_at_notice_aliexpress_com_ab12cd34ef_5678gh90@privaterelay.appleid.com"
    _check(
        SEED.replace(
            b"From: AliExpress <transaction@notice.aliexpress.com>",
            b"From: " + name + b" <" + relayed + b">",
            1,
        )
    )


@FUZZ
@given(st.text(max_size=80))
def test_cr_lf_in_encoded_subjects_never_reaches_the_subject(text):
    encoded = text.encode("utf-8").hex().upper()
    qp = "".join("=" + encoded[i : i + 2] for i in range(0, len(encoded), 2))
    raw = (
        "From: AliExpress <transaction@notice.aliexpress.com>\r\n"
        f"Subject: =?utf-8?q?Order_8200000000000001:=0D=0ABcc:_x@evil.example{qp}?=\r\n\r\nbody\r\n"
    ).encode()
    event = recognise(raw)
    assert "\r" not in (event.subject or "") and "\n" not in (event.subject or "")


def test_twenty_megabyte_body_is_answered():
    body = b"<p>Gesamtbetrag 1,99&euro;</p>" * (20 * 2**20 // 30)
    raw = SEED.split(b"\r\n\r\n", 1)[0].replace(b"multipart/alternative", b"text/html")
    _check(raw + b"\r\n\r\n" + body)


def test_twenty_megabytes_of_unclosed_script_tags_is_answered():
    raw = b"From: a@notice.aliexpress.com\r\nContent-Type: text/html\r\n\r\n"
    _check(raw + b"<script><!--<style>" * (20 * 2**20 // 19))


def test_deep_multipart_nesting_is_answered_or_refused_cleanly():
    depth = 5000
    head = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    _check(b"From: transaction@notice.aliexpress.com\r\nSubject: x\r\n" + head + b"\r\nend\r\n")


def test_nul_bytes_everywhere_are_answered():
    _check(SEED.replace(b"e", b"e\x00"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(raw):
    _check(raw)


def test_subject_matches_the_stdlib_policy_default_decoding():
    # mail-parser's decoded subject can drop the space after an encoded word.
    for raw in SEEDS:
        expected = str(message_from_bytes(raw, policy=policy.default)["subject"] or "")
        expected = re.sub(r"\s+", " ", _CONTROL.sub(" ", expected)).strip()
        assert recognise(raw).subject == expected


def test_headers_of_hostile_length_are_read_by_their_ends():
    """A subject of 40,000 encoded words and 50,000 header lines (quadratic in the stdlib before,
    found by make fuzz) still give the subject's order and kind, and the From at the end."""
    words = b" ".join([b"=?utf-8?q?ab?="] * 40_000)
    head, body = SEED.split(b"\r\n\r\n", 1)
    head = head.replace(b"Subject: ", b"Subject: Bestellung 8200000000000001: " + words + b" ", 1)
    head += b"".join(b"\r\nX-H%d: v" % i for i in range(50_000))
    head = head.replace(b"From: AliExpress <", b"From: " + words + b" <", 1)
    event = recognise(head + b"\r\n\r\n" + body)
    assert event.order_ids == ("8200000000000001",)
    assert event.sender == "transaction@notice.aliexpress.com"
    assert event.kind.value != "not_aliexpress"

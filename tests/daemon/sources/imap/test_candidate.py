"""The byte-level pre-check never turns away a mail the full header check would fetch."""

from __future__ import annotations

import pytest

from aliwatch.daemon.sources.imap import sync
from tests.daemon.sources.imap.conftest import FIXTURE_MAILS


def headers_of(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    return raw[:end] + b"\r\n"


@pytest.mark.parametrize("path", FIXTURE_MAILS, ids=lambda p: p.name)
def test_precheck_agrees_with_the_full_check(path, monkeypatch):
    header = headers_of(path.read_bytes())
    with_precheck = sync.is_candidate(header)
    monkeypatch.setattr(sync, "_worth_parsing", lambda _: True)
    assert with_precheck == sync.is_candidate(header)


@pytest.mark.parametrize(
    "header",
    [
        b"From: a@shop.example\r\nSubject:\r\n Fwd: Order 8200000000000001: order shipped\r\n",
        b"From: a@shop.example\r\nSubject: =?utf-8?q?Fwd=3A_Bestellung?=\r\n",
        b"From: a@shop.example\r\nSubject: WG: Bestellung 8200000000000001\r\n",
        b"From: transaction_at_notice_aliexpress_com_ab12@privaterelay.appleid.com\r\n"
        b"Subject: x\r\n",
    ],
)
def test_precheck_lets_forwards_and_relays_through(header):
    assert sync._worth_parsing(header)
    assert sync.is_candidate(header)


def test_precheck_turns_away_a_newsletter():
    assert not sync._worth_parsing(b"From: news@shop.example\r\nSubject: Weekly deals 12\r\n")


@pytest.mark.parametrize(
    "subject",
    [
        b"=?\xfftf-8?q?Bestellung?=",
        b"=?utf-8?B?####?=",
        b"=?" + b"a" * 500 + b"?q?x?=",
        b"=?utf-16?b?2D3eAA==?=",
    ],
)
def test_a_broken_encoded_word_is_no_error(subject):
    """A charset that is no name made the stdlib raise CharsetError, ending `run` (make fuzz)."""
    header = b"From: =?\xff?q?x?= <a@shop.example>\r\nSubject: Fwd: " + subject + b"\r\n"
    assert sync.is_candidate(header)


@pytest.mark.parametrize("header", [b"\r\n", b"", b"Subject: Weekly deals\r\n"])
def test_header_lines_without_a_from_are_fetched_whole(header):
    """The server found no From (it reads a bare CR as no line end; the parser splits there)."""
    assert sync.is_candidate(header)

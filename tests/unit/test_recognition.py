"""Recognising fetched mail: a mail no parser can read is a result, never an exception."""

from __future__ import annotations

from daemon.sources.imap import recognition
from parsers import AuthPolicy
from tests.fixture_corpus import FIXTURES

AUTH = AuthPolicy()
MAILS = [p.read_bytes() for p in sorted(FIXTURES.rglob("*.eml"))][:10]


def test_a_parser_bug_on_one_mail_is_a_failed_result_naming_only_the_error_type(monkeypatch):
    def broken(raw, auth):
        raise RuntimeError("secret words from the mail")

    monkeypatch.setattr(recognition, "recognise", broken)
    assert recognition.recognise_mail(MAILS[0], AUTH) == (None, "parser error: RuntimeError")


def test_recognise_all_keeps_the_order_of_the_mails():
    results = recognition.recognise_all(MAILS, AUTH)
    assert results == [recognition.recognise_mail(raw, AUTH) for raw in MAILS]
    assert len({event.message_id for event, _ in results if event}) == len(MAILS)

"""Recognising fetched mail: a mail no parser can read is a result, never an exception."""

from __future__ import annotations

import importlib

from aliwatch.daemon.sources import ingest as recognition
from aliwatch.daemon.sources.inputs import Input
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy
from tests.fixture_corpus import FIXTURES
from tests.support import NOW

AUTH = AuthPolicy()
# The module, not the function of the same name that aliwatch.parsers re-exports: a parser bug
# is contained where recognise_all calls recognise.
PARSERS = importlib.import_module("aliwatch.parsers.recognise")
MAILS = [p.read_bytes() for p in sorted(FIXTURES.rglob("*.eml"))][:10]


def test_a_parser_bug_on_one_mail_is_a_failed_result_naming_only_the_error_type(monkeypatch):
    def broken(raw, auth):
        raise RuntimeError("secret words from the mail")

    monkeypatch.setattr(PARSERS, "recognise", broken)
    assert recognition.recognise_mail(MAILS[0], AUTH) == (None, "parser error: RuntimeError")


def test_recognise_all_keeps_the_order_of_the_mails():
    results = PARSERS.recognise_all(MAILS, AUTH)
    assert results == [recognition.recognise_mail(raw, AUTH) for raw in MAILS]
    assert len({event.message_id for event, _ in results if event}) == len(MAILS)


def test_a_parser_bug_on_one_imported_mail_is_recorded_failed_and_the_rest_goes_on(
    monkeypatch, tmp_path
):
    real = PARSERS.recognise

    def broken_on_first(raw, auth):
        if raw == MAILS[0]:
            raise RuntimeError("secret words from the mail")
        return real(raw, auth)

    monkeypatch.setattr(PARSERS, "recognise", broken_on_first)
    items = [Input(f"mail-{i}", raw) for i, raw in enumerate(MAILS[:3])]
    with Store.open(tmp_path / "db.sqlite") as store:
        report = recognition.ingest(store, items, NOW, AUTH, account="file")
    assert (report.examined, report.failed) == (3, 1)
    assert report.new_events == 2

"""The sync's fetch thread (one batch ahead) and its progress lines, on their own."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from structlog.testing import capture_logs

import aliwatch.daemon.sources.imap.sync as sync_module
from aliwatch.daemon.sources.imap.sync import PROGRESS_SECONDS, _Ahead, _Progress


def test_items_come_in_order_from_the_other_thread():
    threads: set[str] = set()

    def items() -> Iterator[int]:
        for n in range(100):
            threads.add(threading.current_thread().name)
            yield n

    ahead = _Ahead(items())
    try:
        assert list(ahead) == list(range(100))
    finally:
        ahead.close()
    assert threads == {"aliwatch-fetch"}


def test_an_error_comes_after_the_items_before_it():
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ConnectionError("lost")

    ahead = _Ahead(items())
    got = []
    with pytest.raises(ConnectionError, match="lost"):
        got.extend(ahead)
    ahead.close()
    assert got == [1, 2]


def test_close_stops_the_thread_a_batch_or_two_ahead_at_most():
    made = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            made.append(n)
            yield n
            n += 1

    ahead = _Ahead(endless())
    reader = iter(ahead)
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    ahead.close()
    assert not ahead._thread.is_alive()
    assert len(made) <= 3 + 3  # read, queued, being made, and the one after a put


def test_progress_is_logged_first_then_every_few_seconds_with_rate_and_eta(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(sync_module.time, "monotonic", lambda: clock[0])
    progress = _Progress("INBOX", total=10_000)
    with capture_logs() as logs:
        clock[0] += 1.0
        progress.tick(1_000)  # first: logged
        clock[0] += PROGRESS_SECONDS / 2
        progress.tick(1_500)  # too soon
        clock[0] += PROGRESS_SECONDS
        progress.tick(4_000)  # logged
    assert [entry["examined"] for entry in logs] == [1_000, 4_000]
    last = logs[-1]
    assert last["event"] == "imap.sync.progress" and last["total"] == 10_000
    elapsed = 1.0 + PROGRESS_SECONDS * 1.5
    assert last["per_second"] == round(4_000 / elapsed, 1)
    assert last["eta_seconds"] == round(6_000 / (4_000 / elapsed))

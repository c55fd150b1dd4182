"""The sync's progress lines, on their own."""

from __future__ import annotations

from structlog.testing import capture_logs

import aliwatch.daemon.sources.imap.sync as sync_module
from aliwatch.daemon.sources.imap.sync import PROGRESS_SECONDS, _Progress


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

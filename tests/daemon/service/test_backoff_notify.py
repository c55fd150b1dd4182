"""Reconnect delays grow and cap; refused logins are counted apart; sd_notify reaches systemd."""

from __future__ import annotations

import random
import socket

from aliwatch.daemon.service.backoff import AUTH_BACKOFF, BACKOFF_MAX, Backoff
from aliwatch.daemon.service.notify import notify, watchdog_interval


def test_network_delays_double_and_cap_at_five_minutes():
    backoff = Backoff(rng=random.Random(1))
    delays = [backoff.network_failure() for _ in range(12)]
    assert 1.0 <= delays[0] <= 1.25
    assert 2.0 <= delays[1] <= 2.5
    assert all(BACKOFF_MAX <= d <= BACKOFF_MAX * 1.25 for d in delays[9:])


def test_third_refused_login_in_a_row_waits_half_an_hour_and_alerts_once():
    backoff = Backoff(rng=random.Random(1))
    first, second = backoff.auth_failure(), backoff.auth_failure()
    assert not backoff.alert_auth
    assert backoff.auth_failure() == AUTH_BACKOFF
    assert backoff.alert_auth
    backoff.auth_failure()
    assert not backoff.alert_auth  # once per outage, not at every further failure
    assert first < second < AUTH_BACKOFF


def test_success_starts_over():
    backoff = Backoff(rng=random.Random(1))
    for _ in range(5):
        backoff.network_failure()
    backoff.success()
    assert backoff.network_failure() <= 1.25


def test_notify_sends_a_datagram_to_the_notify_socket(tmp_path, monkeypatch):
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        assert notify("READY=1")
        assert server.recv(100) == b"READY=1"


def test_notify_without_systemd_does_nothing(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not notify("READY=1")


def test_watchdog_interval_is_half_of_watchdog_sec(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert watchdog_interval() == 15.0

"""The desktop channel on a private session D-Bus with a recording notification server."""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime, timedelta

import pytest
import structlog

from daemon.alerts.channel import ChannelError, Outgoing
from daemon.alerts.console import ConsoleChannel
from daemon.alerts.desktop import URGENCY_CRITICAL, URGENCY_NORMAL, DesktopChannel
from daemon.alerts.setup import build_channels
from daemon.render import ORDER_PAGE
from daemon.settings import Settings
from rules.decide import Decision
from tests.servers.dbus import SessionBus

pytestmark = pytest.mark.real_server
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def decision(rule: str = "proposal_waiting", due: timedelta = timedelta(days=7), **kw) -> Decision:
    values = {
        "key": f"{rule}:8211968327930027",
        "order_id": "8211968327930027",
        "rule": rule,
        "headline": "The seller made a proposal in your dispute",
        "advice": "Answer the proposal before the deadline.",
        "due": NOW + due,
    }
    values.update(kw)
    return Decision(**values)  # type: ignore[arg-type]


def notify(session_bus, alert: Decision) -> dict:
    channel = DesktopChannel(session_bus.address)
    try:
        channel.send(Outgoing(alert.key, alert, NOW, UTC))
    finally:
        channel.close()
    [shown] = session_bus.wait_for(1, 10)
    return shown


def test_a_click_on_the_notification_opens_the_order_page(tmp_path, monkeypatch):
    opened = tmp_path / "opened"
    fake = tmp_path / "bin" / "xdg-open"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    bus = SessionBus(tmp_path / "bus-root", click=True)
    (tmp_path / "bus-root").mkdir()
    bus.start()
    channel = DesktopChannel(bus.address)
    try:
        channel.send(Outgoing("k", decision(), NOW, UTC))
        for _ in range(100):
            if opened.exists() and opened.read_text():
                break
            time.sleep(0.05)
    finally:
        channel.close()
        bus.stop()
    assert bus.notifications()[0]["actions"] == ["default", "Open the order page"]
    assert opened.read_text() == ORDER_PAGE.format("8211968327930027")


def test_a_proposal_is_a_critical_notification_with_a_link_to_the_order(session_bus):
    shown = notify(session_bus, decision())
    assert shown["app"] == "aliwatch"
    assert shown["summary"].startswith("Answer the seller's proposal by Thu 3 Dec 12:00")
    assert shown["hints"]["urgency"] == URGENCY_CRITICAL
    assert (
        'href="https://www.aliexpress.com/p/order/detail.html?orderId=8211968327930027"'
        in (shown["body"])
    )


def test_an_ordinary_alert_with_a_far_deadline_is_normal_urgency(session_bus):
    shown = notify(session_bus, decision("parcel_stalled", timedelta(days=20)))
    assert shown["hints"]["urgency"] == URGENCY_NORMAL


def test_a_deadline_under_a_day_away_is_critical(session_bus):
    shown = notify(session_bus, decision("protection_ending", timedelta(hours=20)))
    assert shown["hints"]["urgency"] == URGENCY_CRITICAL


def test_markup_from_a_mail_is_escaped_in_the_body(session_bus):
    hostile = decision(headline='<a href="http://evil.example">win</a> <b>now</b>')
    shown = notify(session_bus, hostile)
    assert 'evil.example">' not in shown["body"] and "<b>" not in shown["body"]
    assert "&lt;a href=" in shown["body"]


def test_an_unreachable_bus_is_a_channel_error(tmp_path):
    channel = DesktopChannel(f"unix:path={tmp_path / 'no-bus'}")
    with pytest.raises(ChannelError, match="cannot reach the session bus"):
        channel.send(Outgoing("k", decision(), NOW, UTC))


# jeepney's receiver thread dies with the bus (the daemon logs that as thread_failed).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_bus_that_went_away_is_a_channel_error_then_a_fresh_connection(session_bus, tmp_path):
    channel = DesktopChannel(session_bus.address)
    channel.send(Outgoing("k1", decision(), NOW, UTC))
    session_bus.stop()
    with pytest.raises(ChannelError):
        channel.send(Outgoing("k2", decision(), NOW, UTC))
    session_bus.start()
    channel.send(Outgoing("k3", decision(), NOW, UTC))
    channel.close()
    assert len(session_bus.wait_for(2, 10)) == 2


def test_auto_turns_desktop_on_when_a_session_bus_is_reachable(session_bus, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus.address)
    names = [c.name for c in build_channels(Settings(), io.StringIO())]
    assert names == ["desktop"]


def test_with_desktop_on_and_no_bus_one_warning_and_the_others_go_on(
    smtp_server, monkeypatch, tmp_path
):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no bus socket there
    env = {k.removeprefix("ALIWATCH_").lower(): v for k, v in smtp_server.env().items()}
    with structlog.testing.capture_logs() as logs:
        channels = build_channels(Settings(desktop_notify="on", **env), io.StringIO())
    assert [c.name for c in channels] == ["email"]
    assert [entry["event"] for entry in logs] == ["desktop_unavailable"]


def test_with_nothing_configured_alerts_go_to_the_console(monkeypatch, tmp_path):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    [channel] = build_channels(Settings(), io.StringIO())
    assert isinstance(channel, ConsoleChannel)

"""The desktop channel on dunst under Xvfb (tests/servers/dunst.py), and on the recording server
(tests/servers/dbus.py) for what dunst cannot do."""

from __future__ import annotations

import dataclasses
import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import structlog

from aliwatch.daemon.alerts.channels.channel import ChannelError, Outgoing
from aliwatch.daemon.alerts.channels.console import ConsoleChannel
from aliwatch.daemon.alerts.channels.desktop import DesktopChannel, store_actions
from aliwatch.daemon.alerts.channels.setup import build_channels
from aliwatch.daemon.alerts.render import ORDER_PAGE
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.store import Store
from aliwatch.rules.decide import Decision
from tests.daemon.store.conftest import fixture, key
from tests.servers.dbus import SessionBus
from tests.servers.dunst import Dunst
from tests.support import NOW, wait_until

pytestmark = pytest.mark.real_server
ORDER = "8211968327930027"
# A line of dunst's context menu for an action: "#label (summary) [notification id,key]".
MENU_ACTION = re.compile(r"#(?P<label>.+?) \((?P<summary>.*)\) \[(?P<id>\d+),(?P<key>[^\]]+)\]$")
ORDER_ACTIONS = {
    ("default", "Open the order page"),
    ("open", "Open order"),
    ("snooze-1d", "Snooze 1 day"),
    ("ack", "Done"),
}


def decision(rule: str = "proposal_waiting", due: timedelta = timedelta(days=7), **kw) -> Decision:
    values = {
        "key": f"{rule}:{ORDER}",
        "order_id": ORDER,
        "rule": rule,
        "headline": "The seller made a proposal in your dispute",
        "advice": "Answer the proposal before the deadline.",
        "due": NOW + due,
    }
    values.update(kw)
    return Decision(**values)  # type: ignore[arg-type]


def show(dunst: Dunst, alert: Decision, channel: DesktopChannel | None = None) -> None:
    """Send `alert` to dunst (on `channel`, kept open) and wait until dunst shows it."""
    shown = dunst.displayed()
    own = channel or DesktopChannel(dunst.address)
    try:
        own.send(Outgoing(alert.key, alert, NOW, UTC))
    finally:
        if channel is None:
            own.close()
    assert wait_until(lambda: dunst.displayed() > shown, 10)


def shown_in(dunst: Dunst, alert: Decision) -> dict[str, object]:
    """The one notification dunst shows for `alert`, as its history gives it back."""
    show(dunst, alert)
    [entry] = dunst.close_all()
    return entry


def menu_actions(lines: list[str]) -> set[tuple[str, str]]:
    return {(m["key"], m["label"]) for line in lines if (m := MENU_ACTION.match(line))}


def order_in_store(db_path: Path) -> Path:
    """A database in which a mail named ORDER (a fixture mail given the tests' order number)."""
    event, digest = fixture("order/order_shipped_en.eml")
    event = dataclasses.replace(event, order_ids=(ORDER,))
    with Store.open(db_path) as store:
        store.record(key(1), event, raw_digest=digest, status="ok", error=None, now=NOW)
    return db_path


def fake_xdg_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An xdg-open first on PATH that writes the URL it was given to the returned file."""
    opened = tmp_path / "opened"
    fake = tmp_path / "bin" / "xdg-open"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    return opened


# -- dunst -----------------------------------------------------------------------------------


def test_a_proposal_is_critical_in_dunst_with_the_order_actions_and_link(dunst, tmp_path):
    channel = DesktopChannel(dunst.address, store_actions(tmp_path / "aliwatch.db"))
    try:
        show(dunst, decision(), channel)
        offered = dunst.menu()
    finally:
        channel.close()
    assert menu_actions(offered) == ORDER_ACTIONS
    assert f"[Open the order page] {ORDER_PAGE.format(ORDER)}" in offered
    [shown] = dunst.close_all()
    assert shown["appname"] == "aliwatch"
    assert shown["category"] == "email.arrived"
    assert str(shown["summary"]).startswith("Answer the seller's proposal by Thu 3 Dec 12:00")
    assert str(shown["message"]).startswith("urgency: critical\n")


def test_without_a_handler_only_the_order_page_is_offered(dunst):
    show(dunst, decision())
    assert menu_actions(dunst.menu()) == {
        ("default", "Open the order page"),
        ("open", "Open order"),
    }


def test_an_alert_without_an_order_offers_no_action(dunst, tmp_path):
    channel = DesktopChannel(dunst.address, store_actions(tmp_path / "aliwatch.db"))
    try:
        orderless = decision("stale", key="stale", order_id="", headline="Mailbox not read")
        show(dunst, orderless, channel)
        # dunst runs its menu only with something to offer: this one has.
        show(dunst, decision(), channel)
        offered = dunst.menu()
    finally:
        channel.close()
    assert {m["summary"] for line in offered if (m := MENU_ACTION.match(line))} == {
        f"Answer the seller's proposal by Thu 3 Dec 12:00 — order {ORDER}"
    }


def test_an_ordinary_alert_with_a_far_deadline_is_normal_urgency(dunst):
    shown = shown_in(dunst, decision("parcel_stalled", timedelta(days=20)))
    assert str(shown["message"]).startswith("urgency: normal\n")


def test_a_deadline_under_a_day_away_is_critical(dunst):
    shown = shown_in(dunst, decision("protection_ending", timedelta(hours=20)))
    assert str(shown["message"]).startswith("urgency: critical\n")


def test_a_deadline_already_passed_is_normal_urgency(dunst):
    # rules/urgency.py: the checks that fire once a deadline passed can wait.
    shown = shown_in(dunst, decision("protection_ending", timedelta(hours=-2)))
    assert str(shown["message"]).startswith("urgency: normal\n")


def test_markup_from_a_mail_is_escaped_in_the_body(dunst):
    hostile = decision(headline='<a href="http://evil.example">win</a> <b>now</b>')
    body = str(shown_in(dunst, hostile)["body"])
    assert 'evil.example">' not in body and "<b>" not in body
    assert "&lt;a href=" in body


@pytest.mark.parametrize("how", ["click", "Open order"])
def test_a_click_or_open_order_opens_the_order_page(dunst, tmp_path, monkeypatch, how):
    opened = fake_xdg_open(tmp_path, monkeypatch)
    channel = DesktopChannel(dunst.address, store_actions(tmp_path / "aliwatch.db"))
    try:
        show(dunst, decision(), channel)
        if how == "click":
            dunst.ctl("action", "0")  # dunst's default action on the first notification shown
        else:
            dunst.menu(how)
        assert wait_until(lambda: opened.exists() and opened.read_text(), 10)
    finally:
        channel.close()
    assert opened.read_text() == ORDER_PAGE.format(ORDER)


def test_snooze_1_day_in_dunst_snoozes_the_order_for_a_day_from_the_click(dunst, tmp_path):
    db_path = order_in_store(tmp_path / "aliwatch.db")
    # Wired as the daemon wires it: build_channels, the database of the settings.
    settings = Settings(db_path=db_path, desktop_notify="on")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBUS_SESSION_BUS_ADDRESS", dunst.address)
        [channel] = build_channels(settings, io.StringIO())
    assert isinstance(channel, DesktopChannel)

    def snoozed_until() -> datetime | None:
        with Store.open(db_path) as store:
            return store.snoozed_until(ORDER)

    try:
        show(dunst, decision(), channel)
        with structlog.testing.capture_logs() as logs:
            before = datetime.now(UTC)
            dunst.menu("Snooze 1 day")
            assert wait_until(snoozed_until, 10)
            after = datetime.now(UTC)
    finally:
        channel.close()
    until = snoozed_until()
    assert until is not None and before + timedelta(days=1) <= until <= after + timedelta(days=1)
    assert logs == [
        {"event": "desktop_action", "action": "snooze-1d", "order": ORDER, "log_level": "info"}
    ]


def test_done_in_dunst_acknowledges_the_alerts_rule_of_the_order(dunst, tmp_path):
    db_path = order_in_store(tmp_path / "aliwatch.db")
    channel = DesktopChannel(dunst.address, store_actions(db_path))

    def acked() -> bool:
        with Store.open(db_path) as store:
            acks = store.acks(ORDER)
            # Only the rule of the alert shown: done with a warning about a forged mail must
            # not silence the order's genuine reminders.
            return "proposal_waiting" in acks.rules and acks.everything is None

    try:
        show(dunst, decision(), channel)
        dunst.menu("Done")
        assert wait_until(acked, 10)
    finally:
        channel.close()


def test_a_failing_action_is_logged_and_the_next_click_still_heard(dunst, tmp_path):
    # No mail named the order in this database: the store refuses the snooze.
    channel = DesktopChannel(dunst.address, store_actions(tmp_path / "aliwatch.db"))
    try:
        with structlog.testing.capture_logs() as logs:
            show(dunst, decision(), channel)
            dunst.menu("Snooze 1 day")
            assert wait_until(lambda: len(logs) == 2, 10)
            order_in_store(tmp_path / "aliwatch.db")
            dunst.close_all()  # dunst would stack the same notification onto the one shown
            show(dunst, decision(), channel)
            dunst.menu("Done")
            assert wait_until(lambda: len(logs) == 3, 10)
    finally:
        channel.close()
    failed = logs[1]
    assert failed["event"] == "desktop_action_failed" and failed["order"] == ORDER
    assert failed["reason"] == f"no mail has named order {ORDER}"
    assert logs[2]["event"] == "desktop_action" and logs[2]["action"] == "ack"
    with Store.open(tmp_path / "aliwatch.db") as store:
        assert "proposal_waiting" in store.acks(ORDER).rules


# -- the recording server: what dunst does not do --------------------------------------------


def test_a_click_signalled_with_the_reply_still_opens_the_order_page(tmp_path, monkeypatch):
    # The recorder emits ActionInvoked right after its reply to Notify, as a server may; dunst
    # only signals on a user's click, well after the reply was read.
    opened = fake_xdg_open(tmp_path, monkeypatch)
    bus = SessionBus(tmp_path / "bus-root", click=True)
    (tmp_path / "bus-root").mkdir()
    bus.start()
    channel = DesktopChannel(bus.address)
    try:
        channel.send(Outgoing("k", decision(), NOW, UTC))
        assert wait_until(lambda: opened.exists() and opened.read_text(), 5)
    finally:
        channel.close()
        bus.stop()
    assert bus.notifications()[0]["actions"] == [
        "default",
        "Open the order page",
        "open",
        "Open order",
    ]
    assert opened.read_text() == ORDER_PAGE.format(ORDER)


def test_an_unreachable_bus_is_a_channel_error(tmp_path):
    channel = DesktopChannel(f"unix:path={tmp_path / 'no-bus'}")
    with pytest.raises(ChannelError, match="cannot reach the session bus"):
        channel.send(Outgoing("k", decision(), NOW, UTC))


# jeepney's receiver thread dies with the bus (the daemon logs that as thread_failed). The
# recorder: the bus is restarted under the channel, which dunst (ending with its bus) is not.
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

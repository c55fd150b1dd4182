"""`aliwatch check`: are the settings usable, and does each alert channel really deliver?"""

from __future__ import annotations

from datetime import datetime
from typing import TextIO

from daemon.alerts.channel import ChannelError, Outgoing
from daemon.alerts.setup import ChannelSetupError, build_channels
from daemon.commands import CommandError
from daemon.settings import Settings
from rules.decide import Decision


def trial_decision(now: datetime) -> Decision:
    """The test alert: plainly a test, about no order."""
    return Decision(
        key=f"test:{now.isoformat()}",
        order_id="",
        rule="test",
        headline="aliwatch test alert: this channel works",
        advice="Nothing to do. Real alerts will arrive here the same way.",
    )


def check(settings: Settings, now: datetime, out: TextIO, *, send_test_alert: bool) -> int:
    """One line per channel ("ok" or why not); exit status 1 when any failed.

    The settings were validated when they were loaded (a bad value stops there). With
    `send_test_alert`, one test alert is sent on each configured channel (not through the
    outbox: nothing is stored).
    """
    try:
        channels = build_channels(settings, out)
    except ChannelSetupError as err:
        raise CommandError(str(err)) from err
    out.write("settings: ok\n")
    failed = 0
    for channel in channels:
        if not send_test_alert:
            out.write(f"{channel.name}: configured, {channel.describe()}\n")
            continue
        try:
            trial = trial_decision(now)
            channel.send(Outgoing(trial.key, trial, now, settings.zone()))
        except ChannelError as err:
            failed += 1
            out.write(f"{channel.name}: FAILED: {err}\n")
        else:
            out.write(f"{channel.name}: test alert sent to {channel.describe()}\n")
    if not send_test_alert:
        out.write("(add --send-test-alert to send a test alert on each channel)\n")
    return 1 if failed else 0

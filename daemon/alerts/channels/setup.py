"""The channels the settings configure; the console when none is."""

from __future__ import annotations

from typing import TextIO

import structlog

from aliwatch.daemon.alerts.channels.apprise_channel import AppriseMissingError, apprise_channels
from aliwatch.daemon.alerts.channels.channel import Channel
from aliwatch.daemon.alerts.channels.console import ConsoleChannel
from aliwatch.daemon.alerts.channels.session_bus import session_bus_address
from aliwatch.daemon.config.errors import ConfigError
from aliwatch.daemon.config.settings import Settings

log = structlog.get_logger("aliwatch")


class ChannelSetupError(ConfigError, ValueError):
    """A channel's settings cannot be used; the message names the variable and the fix."""


def build_channels(settings: Settings, out: TextIO) -> list[Channel]:
    """Email, desktop and Apprise as configured; the console when none of them is.

    Desktop is on by default where a session bus is reachable; with ALIWATCH_DESKTOP_NOTIFY=on
    and no bus, one clear warning is logged and the other channels go on.
    """
    # Each channel's module (smtplib, jeepney) is imported only when that channel is configured:
    # `run --once` starts faster, and a backfill pays its start-up once (make bench).
    channels: list[Channel] = []
    if settings.smtp_host or settings.alert_email_to:
        from aliwatch.daemon.alerts.channels.email_channel import EmailChannel, EmailConfigError  # noqa: PLC0415

        try:
            channels.append(EmailChannel(settings.smtp()))
        except EmailConfigError as err:
            raise ChannelSetupError(str(err)) from err
    if settings.desktop_notify != "off":
        address = session_bus_address()
        if address is not None:
            from aliwatch.daemon.alerts.channels.desktop import DesktopChannel, store_actions  # noqa: PLC0415
            from aliwatch.daemon.config.paths import default_db_path  # noqa: PLC0415

            # "Snooze 1 day" and "Done" on a notification change the daemon's own database.
            on_action = store_actions(settings.db_path or default_db_path())
            channels.append(DesktopChannel(address, on_action))
        elif settings.desktop_notify == "on":
            log.warning(
                "desktop_unavailable",
                reason="no session bus (DBUS_SESSION_BUS_ADDRESS unset, no $XDG_RUNTIME_DIR/bus);"
                " run aliwatch from the systemctl --user unit for desktop notifications",
            )
    try:
        channels.extend(apprise_channels(settings.apprise_urls))
    except AppriseMissingError as err:
        raise ChannelSetupError(str(err)) from err
    return channels or [ConsoleChannel(out)]

"""`aliwatch run`: build the sources from the settings and drive the Runner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TextIO

import structlog

from daemon.alerts.setup import ChannelSetupError, build_channels
from daemon.commands import CommandError, open_store
from daemon.imap import ImapConfigError, ImapSession
from daemon.imap_source import ImapSource
from daemon.logs import configure
from daemon.runner import Runner, Source, install_signal_handlers, utc_now
from daemon.secrets import imap_password, oauth2_token
from daemon.settings import Settings
from daemon.sources_local import LocalMailbox
from parsers import AuthPolicy

log = structlog.get_logger("aliwatch")


class SettingsError(CommandError):
    """`run` cannot start with these settings; the CLI exits with status 2 (not restarted)."""


def sources_of(settings: Settings) -> list[Source]:
    """The mail sources the settings name; at least one, else a clear error."""
    auth = AuthPolicy(trusted_authserv_ids=settings.trusted_authserv_ids)
    found: list[Source] = []
    if settings.maildir is not None:
        if not settings.maildir.is_dir():
            raise SettingsError(f"ALIWATCH_MAILDIR {settings.maildir}: no such folder")
        found.append(LocalMailbox(settings.maildir, auth))
    if settings.imap_host is not None:
        found.append(ImapSource(settings, auth))
    if not found:
        raise SettingsError(
            "nothing to watch: set ALIWATCH_IMAP_HOST (and friends) or ALIWATCH_MAILDIR"
        )
    return found


def preflight(settings: Settings) -> None:
    """Settings `run` cannot work without, checked before the loop (issue #6: a missing value
    stops start-up naming the variable) instead of being retried as if the network failed.
    No connection is made; a password command or token command is run once."""
    if settings.imap_host is None:
        return
    try:
        ImapSession(settings)  # host, user, `none` only to loopback
        if settings.imap_oauth2_token_command is None:
            imap_password(settings)
        else:
            oauth2_token(settings)
    except ImapConfigError as err:
        raise SettingsError(str(err)) from err


def run_daemon(settings: Settings, *, once: bool, now: datetime | None, out: TextIO) -> int:
    """One pass (`--once`) or the loop until SIGTERM/SIGINT; exit code 0 on a clean stop."""
    configure(settings.log_format)
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now
    sources = sources_of(settings)
    preflight(settings)
    try:
        channels = build_channels(settings, out)
    except ChannelSetupError as err:
        raise SettingsError(str(err)) from err
    log.info("channels", names=[channel.name for channel in channels])
    with open_store(settings) as store:
        runner = Runner(settings, store, sources, out, clock=clock, channels=channels)
        if once:
            new = runner.pass_once()
            out.write(f"\none pass: {new} new events\n")
            return 0
        install_signal_handlers(runner.stop, runner.abort_io)
        runner.run()
    return 0

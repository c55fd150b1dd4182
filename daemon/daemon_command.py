"""`aliwatch run`: build the sources from the settings and drive the Runner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TextIO

import structlog

from daemon.alerts.setup import ChannelSetupError, build_channels
from daemon.commands import CommandError, open_store
from daemon.imap_source import ImapSource
from daemon.logs import configure
from daemon.runner import Runner, Source, install_signal_handlers, utc_now
from daemon.settings import Settings
from daemon.sources_local import LocalMailbox
from parsers import AuthPolicy

log = structlog.get_logger("aliwatch")


def sources_of(settings: Settings) -> list[Source]:
    """The mail sources the settings name; at least one, else a clear error."""
    auth = AuthPolicy(trusted_authserv_ids=settings.trusted_authserv_ids)
    found: list[Source] = []
    if settings.maildir is not None:
        if not settings.maildir.is_dir():
            raise CommandError(f"ALIWATCH_MAILDIR {settings.maildir}: no such folder")
        found.append(LocalMailbox(settings.maildir, auth))
    if settings.imap_host is not None:
        found.append(ImapSource(settings, auth))
    if not found:
        raise CommandError(
            "nothing to watch: set ALIWATCH_IMAP_HOST (and friends) or ALIWATCH_MAILDIR"
        )
    return found


def run_daemon(settings: Settings, *, once: bool, now: datetime | None, out: TextIO) -> int:
    """One pass (`--once`) or the loop until SIGTERM/SIGINT; exit code 0 on a clean stop."""
    configure(settings.log_format)
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now
    sources = sources_of(settings)
    try:
        channels = build_channels(settings, out)
    except ChannelSetupError as err:
        raise CommandError(str(err)) from err
    log.info("channels", names=[channel.name for channel in channels])
    with open_store(settings) as store:
        runner = Runner(settings, store, sources, out, clock=clock, channels=channels)
        if once:
            new = runner.pass_once()
            out.write(f"\none pass: {new} new events\n")
            return 0
        install_signal_handlers(runner.stop)
        runner.run()
    return 0

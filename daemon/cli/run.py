"""`aliwatch run`: build the sources from the settings and drive the Runner."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

import structlog

from aliwatch.daemon.alerts.channels.setup import ChannelSetupError, build_channels
from aliwatch.daemon.cli.commands import CommandError, open_store
from aliwatch.daemon.config.errors import ConfigError
from aliwatch.daemon.config.paths import default_db_path
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.service.lock import AlreadyRunningError, DaemonLock, lock_path
from aliwatch.daemon.service.logs import configure
from aliwatch.daemon.service.notify import notify
from aliwatch.daemon.service.runner import (
    Runner,
    Source,
    install_signal_handlers,
    log_stopping,
    utc_now,
)
from aliwatch.daemon.sources.imap import ImapConfigError, ImapSession
from aliwatch.daemon.sources.imap.credentials import imap_password, oauth2_token
from aliwatch.daemon.sources.imap.source import ImapSource
from aliwatch.daemon.sources.local import LocalMailbox
from aliwatch.daemon.store import Store, StoreError, StoreFullError
from aliwatch.parsers import AuthPolicy

log = structlog.get_logger("aliwatch")
# Started while the database's disk is full, `run` tries again this often at most (doubling
# from 1 s): room usually comes back, and ending would only have systemd start it again.
STORE_FULL_RETRY_MAX = 60.0


class SettingsError(CommandError, ConfigError):
    """`run` cannot start with these settings; the CLI exits with status 2 (not restarted)."""


class NotDeliveredError(CommandError):
    """`run --once` could not send some alerts (a channel's server down): exit status 1, so a
    timer or a script sees it; the alerts stay queued and go out on the next run."""


def sources_of(settings: Settings) -> list[Source]:
    """The mail sources the settings name; at least one, else a clear error."""
    auth = AuthPolicy(trusted_authserv_ids=settings.trusted_authserv_ids)
    found: list[Source] = []
    if settings.maildir is not None:
        if not settings.maildir.is_dir():
            raise SettingsError(f"ALIWATCH_MAILDIR {settings.maildir}: no such folder")
        found.append(LocalMailbox(settings.maildir, auth))
    if settings.imap_host is not None:
        found.append(ImapSource(settings.imap(), auth))
    if not found:
        raise SettingsError(
            "nothing to watch: set ALIWATCH_IMAP_HOST (and friends) or ALIWATCH_MAILDIR"
        )
    return found


def preflight(settings: Settings) -> None:
    """Settings `run` cannot work without, checked before the loop (a missing value stops
    start-up naming the variable) instead of being retried as if the network failed.
    No connection is made; a password command or token command is run once."""
    if settings.imap_host is None:
        return
    imap = settings.imap()
    try:
        ImapSession(imap)  # host, user, `none` only to loopback
        if imap.oauth2_token_command is None:
            imap_password(imap)
        else:
            oauth2_token(imap)
    except ImapConfigError as err:
        raise SettingsError(str(err)) from err


def run_daemon(settings: Settings, *, once: bool, now: datetime | None, out: TextIO) -> int:
    """One pass (`--once`) or the loop until SIGTERM/SIGINT; exit code 0 on a clean stop.

    Either holds the database's daemon lock throughout: a second one exits with status 2.
    """
    configure(settings.log_format, now=now)
    db_path = settings.db_path or default_db_path()
    rebuilt = rebuilding(db_path)  # before the lock: taking it creates its file
    lock = DaemonLock(db_path, once=once)

    def wait_for_once(pid: int) -> None:
        log.info("waiting_for_run_once", pid=pid, db=str(lock.db_path))

    try:
        # The service waits for a `run --once` to end; anything else running exits 2 at once.
        lock.acquire(None if once else wait_for_once)
    except AlreadyRunningError as err:
        raise SettingsError(str(err)) from None
    try:
        return _run_locked(settings, once=once, now=now, out=out, rebuilt=rebuilt)
    finally:
        lock.release()


def rebuilding(db_path: Path) -> bool:
    """Whether a daemon ran on this database before and the database is gone: its lock file
    (kept beside it, service/lock.py) is there, the database is not. A new user has neither,
    and gets every alert the mailbox raises."""
    return lock_path(db_path).exists() and not db_path.exists()


def _run_locked(
    settings: Settings, *, once: bool, now: datetime | None, out: TextIO, rebuilt: bool
) -> int:
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now
    sources = sources_of(settings)
    preflight(settings)
    try:
        channels = build_channels(settings, out)
    except ChannelSetupError as err:
        raise SettingsError(str(err)) from err
    log.info("channels", names=[channel.name for channel in channels])
    if once:
        with open_store(settings) as store:
            _release_claims(store)
            runner = Runner(
                settings, store, sources, out, clock=clock, channels=channels, rebuilt=rebuilt
            )
            new = runner.pass_once()
            out.write(f"\none pass: {new} new events\n")
            if runner.outbox.undelivered:
                raise NotDeliveredError(_not_delivered(runner.outbox.undelivered))
            return 0
    stop = threading.Event()
    install_signal_handlers(stop)
    opened = _open_store_when_there_is_room(settings, stop)
    if opened is None:
        log_stopping()
        log.info("stopped")
        return 0
    with opened as store:
        _release_claims(store)
        runner = Runner(
            settings, store, sources, out, clock=clock, channels=channels, stop=stop,
            rebuilt=rebuilt,
        )  # fmt: skip
        install_signal_handlers(runner.stop, runner.abort_io)
        runner.run()
    return 0


def _not_delivered(undelivered: dict[str, tuple[int, str]]) -> str:
    """What did not go out, a clause per channel: count, channel and the failure's reason."""
    parts = []
    for channel, (count, reason) in sorted(undelivered.items()):
        noun = "alert" if count == 1 else "alerts"
        parts.append(f"{count} {noun} not delivered on {channel} ({reason})")
    return "; ".join(parts) + "; they stay queued and are sent by the next run"


def _release_claims(store: Store) -> None:
    """Drop the delivery claims a killed daemon left (the lock is ours, so nobody else sends);
    with the disk full they stay, and run out by themselves (outbox.CLAIM_FOR)."""
    try:
        if released := store.release_claims():
            log.info("claims_released", count=released)
    except StoreError as err:
        log.warning("claims_not_released", error=str(err))


def _open_store_when_there_is_room(settings: Settings, stop: threading.Event) -> Store | None:
    """The store, once its file system has room to open it; None when stopped meanwhile."""
    delay = 1.0
    while True:
        try:
            return open_store(settings)
        except StoreFullError as err:
            log.error(
                "store_full",
                error=str(err),
                retry_in=delay,
                fix="free space on the file system holding ALIWATCH_DB_PATH",
            )
            notify("STATUS=waiting for room on the disk of the state database")
            if stop.wait(delay):
                return None
            delay = min(delay * 2, STORE_FULL_RETRY_MAX)

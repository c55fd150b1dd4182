"""`aliwatch run`: build the sources from the settings and drive the Runner."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TextIO, TypeVar

import structlog

from aliwatch.daemon.alerts.channels.channel import Channel, ChannelError, Outgoing
from aliwatch.daemon.alerts.channels.setup import ChannelSetupError, build_channels
from aliwatch.daemon.alerts.housekeeping import own_decision
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
from aliwatch.daemon.store import Store, StoreDamagedError, StoreError, StoreFullError
from aliwatch.daemon.store.errors import recovery
from aliwatch.parsers import AuthPolicy
from aliwatch.rules.alerts import AlertKind

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
    db_path = settings.db_path or default_db_path()
    if once:
        with _told_if_damaged(
            lambda: open_store(settings), settings, db_path, channels, clock
        ) as store:
            _release_claims(store)
            runner = Runner(
                settings, store, sources, out, clock=clock, channels=channels, rebuilt=rebuilt
            )
            with _damage_said(settings, db_path, channels, clock, "run_failed"):
                new = runner.pass_once()
            out.write(f"\none pass: {new} new events\n")
            if runner.outbox.undelivered:
                raise NotDeliveredError(_not_delivered(runner.outbox.undelivered))
            return 0
    stop = threading.Event()
    install_signal_handlers(stop)
    opened = _told_if_damaged(
        lambda: _open_store_when_there_is_room(settings, stop), settings, db_path, channels, clock
    )
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
        with _damage_said(settings, db_path, channels, clock, "run_failed"):
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


# Beside the database: which damaged file the buyer was last told about (its device and inode),
# so a service that systemd restarts every RestartSec= into the same damaged file mails once,
# not twice a minute, even when each start writes to it before the damage shows. A file moved
# aside and rebuilt is another inode: its damage would be news again.
TOLD_SUFFIX = ".damage-told"
T = TypeVar("T")


@contextmanager
def _damage_said(
    settings: Settings,
    db_path: Path,
    channels: Sequence[Channel],
    clock: Callable[[], datetime],
    event: str,
) -> Iterator[None]:
    """Inside: a damaged database, found at start or while running, is said on the alert
    channels (the store cannot hold the alert) before its StoreDamagedError ends `run`, instead
    of a silent restart loop."""
    try:
        yield
    except StoreDamagedError as err:
        log.error(event, error=type(err).__name__, db=str(db_path), exit_status=1)
        notify(f"STATUS=stopped: the database {db_path} is damaged")
        told = db_path.with_name(db_path.name + TOLD_SUFFIX)
        _tell_store_damaged(settings, db_path, told, channels, clock())
        raise


def _told_if_damaged(
    open_it: Callable[[], T],
    settings: Settings,
    db_path: Path,
    channels: Sequence[Channel],
    clock: Callable[[], datetime],
) -> T:
    """`open_it()`, a damaged database said as `_damage_said` says it."""
    with _damage_said(settings, db_path, channels, clock, "start_failed"):
        return open_it()


def _tell_store_damaged(
    settings: Settings, db_path: Path, told: Path, channels: Sequence[Channel], now: datetime
) -> None:
    """Send the STORE_DAMAGED alert on every channel, straight (not through the store), unless
    this very file was already said to be damaged."""
    try:
        info = os.stat(db_path)
        mark = f"{info.st_dev}:{info.st_ino}"
        if told.exists() and told.read_text(encoding="utf-8") == mark:
            log.info("store_damage_already_told", db=str(db_path))
            return
    except OSError:
        mark = None
    kind = AlertKind.STORE_DAMAGED
    decision = own_decision(
        kind, f"{kind}:{now:%Y-%m-%dT%H:%M}", now, path=str(db_path), steps=recovery(db_path)
    )
    alert = Outgoing(decision.key, decision, now, settings.zone())
    sent = 0
    for channel in channels:
        try:
            channel.send(alert)
            sent += 1
        except ChannelError as err:
            log.warning("delivery_failed", channel=channel.name, error=str(err))
    log.info("store_damage_told", channels=sent)
    if sent and mark is not None:
        try:
            told.write_text(mark, encoding="utf-8")
        except OSError as err:  # a full disk too: the next start says it again
            log.warning("store_damage_not_remembered", file=str(told), error=str(err))

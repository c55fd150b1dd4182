"""The IMAP mailbox as a source for `run`: a sync per pass, and IDLE on every folder between.

One connection syncs (kept open between passes); each watched folder has a connection of its
own in IDLE (RFC 2177). A watching connection is probed every WATCH_PROBE_SECONDS by leaving
and re-entering IDLE under a short timeout: one that stopped answering (a frozen server
process, a dead path) is replaced, and a sync follows every probe, so a mail it should have
announced waits at most about one probe.
"""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from aliwatch.daemon.config.views import ImapSettings
from aliwatch.daemon.sources.imap import ImapConnectError, ImapError, ImapSession, sync_folder
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy

log = structlog.get_logger("aliwatch")
# How long one idle_check may block, spread over the watched folders: the stop flag is looked
# at this often, so a stop is prompt.
IDLE_TICK = 1.0
# IDLE failing this many times in a row on a folder (a server or middlebox that drops idle
# connections) is given up there for IDLE_PAUSE seconds: that folder is polled meanwhile.
IDLE_FAILURES_BEFORE_PAUSE = 3
IDLE_PAUSE = 1800.0
IDLE_RETRY_WAIT = 5.0
# Every watching connection is probed this often, and must answer within PROBE_TIMEOUT: a frozen
# connection is then noticed, replaced and its folder synced within about 45 s.
WATCH_PROBE_SECONDS = 35.0
PROBE_TIMEOUT = 10.0
# Folders watched with a connection each; the rest are polled. Servers cap connections per
# user (Gmail 15; Dovecot's default mail_max_userip_connections is 10), and the sync needs one.
MAX_WATCHED = 5
_NEW_MAIL = (b"EXISTS", b"RECENT")


def _new_mail(responses: list[tuple[object, ...]]) -> bool:
    """Does any untagged response say EXISTS or RECENT (RFC 3501 section 7.3)?"""
    return any(len(r) > 1 and r[1] in _NEW_MAIL for r in responses)


class WatchingSession(ImapSession):
    """A session that stays in IDLE on one selected folder while the daemon works.

    IDLE is armed before every sync that follows it, never after: Dovecot does not announce mail
    that arrived while the connection was out of IDLE when IDLE starts again (it waits for its
    next periodic check), so a sync that ran before re-arming could miss a mail for up to
    mailbox_idle_check_interval (make bench caught 1 in 20). Syncs run on their own connection,
    so this one never has to leave IDLE for a FETCH.
    """

    _armed_at: float | None = None
    _silent_wakeups: int = 0

    def arm(self) -> None:
        """Enter IDLE; the caller syncs afterwards (mail before this point is not announced)."""
        with self._errors():
            self._connected().idle()
        self._armed_at = time.monotonic()
        self._silent_wakeups = 0

    def wait(self, seconds: float, stop: threading.Event, rearm_after: float) -> bool:
        """Stay in IDLE until new mail is announced, `seconds` pass, or `stop` is set.

        True means "sync now": the server announced mail, or IDLE was re-issued because it had
        lasted `rearm_after` seconds (RFC 2177: before the server's 30-minute timeout; also the
        liveness probe), which opens the same gap as arming does.
        """
        if self._armed_at is None:
            self.arm()
            return True
        deadline = time.monotonic() + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if self.poll(min(IDLE_TICK, left), rearm_after):
                return True
        return False

    def poll(self, timeout: float, rearm_after: float) -> bool:
        """One look at the connection, blocking up to `timeout`; True means "sync now"."""
        if self._armed_at is None:
            self.arm()
            return True
        started = time.monotonic()
        # A closed socket reads as "readable, nothing there" at once, and idle_check swallows
        # the EOF: two such wakeups in a row make us probe by re-arming, which fails on a dead
        # connection (a TLS ticket alone can cause one harmless wakeup).
        if started - self._armed_at >= rearm_after or self._silent_wakeups >= 2:
            return self._rearm()
        tick = max(0.0, min(timeout, rearm_after - (started - self._armed_at)))
        with self._errors():
            responses = self._connected().idle_check(timeout=tick)
        if _new_mail(responses):
            return True
        if any(r and r[0] == b"BYE" for r in responses):  # RFC 3501 section 7.1.5
            raise ImapConnectError(f"{self.host}:{self.port} closed the IDLE connection")
        early = time.monotonic() - started < tick / 2
        self._silent_wakeups = self._silent_wakeups + 1 if early and not responses else 0
        return False

    def _rearm(self) -> bool:
        """Leave IDLE and enter it again under PROBE_TIMEOUT; True: mail in between is not
        announced. A server that does not answer in time raises ImapConnectError."""
        with self._timeout(PROBE_TIMEOUT), self._errors():
            self._connected().idle_done()
            self._armed_at = None
            self.arm()
        return True

    def logout(self) -> None:
        """Leave IDLE if in it (best effort, bounded by the socket timeout), then log out."""
        if self._armed_at is not None and self._client is not None:
            self._armed_at = None
            with suppress(Exception):  # logout never raises: the server may be gone already
                self._client.idle_done()
        super().logout()


@dataclass
class _Watch:
    """How one folder is watched."""

    folder: str
    session: WatchingSession | None = None
    offered: bool | None = None  # the server's IDLE capability, once known
    failures: int = 0
    paused_until: float = 0.0
    replaced: bool = False  # the last connection failed: say so when the next one is up


@dataclass
class ImapSource:
    """The configured folders: synced on one kept connection, each of the first MAX_WATCHED
    watched with IDLE on a connection of its own when the server offers it."""

    imap: ImapSettings
    auth: AuthPolicy
    _session: ImapSession | None = field(default=None, repr=False)
    _watches: list[_Watch] = field(default_factory=list, repr=False)
    _logged_in: bool = field(default=False, repr=False)  # once, in this process

    def __post_init__(self) -> None:
        self._watches = [_Watch(folder) for folder in self.imap.folders[:MAX_WATCHED]]

    @property
    def name(self) -> str:
        return f"imap:{self.imap.account}"

    @property
    def activity(self) -> str:
        """How each folder's new mail is noticed, for systemd's STATUS= line."""
        poll = f"every {round(self.imap.poll_seconds)} s"
        watched = {w.folder: w for w in self._watches}
        parts = []
        for folder in self.imap.folders:
            watch = watched.get(folder)
            if watch is None or watch.offered is False or time.monotonic() < watch.paused_until:
                parts.append(f"polling {folder} {poll}")
            else:
                parts.append(f"idle on {folder}")
        return ", ".join(parts)

    def sync(self, store: Store, now: datetime) -> int:
        """Sync every folder on the kept connection; the number of new events.

        A kept connection that went stale between passes is replaced once and the sync tried
        again at once; any other failure drops it (the next pass reconnects) and propagates.
        """
        reused = self._session is not None
        try:
            return self._sync(store, now)
        except ImapConnectError:
            self._drop_session()
            if not reused:
                raise
        except ImapError:
            self._drop_session()
            raise
        try:
            return self._sync(store, now)
        except ImapError:
            self._drop_session()
            raise

    def _sync(self, store: Store, now: datetime) -> int:
        if self._session is None:
            session = ImapSession(self.imap)
            try:
                session.connect()
            except ImapError as err:
                err.first_contact = not self._logged_in
                raise
            self._logged_in = True
            self._session = session
        new = 0
        for index, folder in enumerate(self.imap.folders):
            report = sync_folder(
                self._session,
                store,
                account=self.imap.account,
                folder=folder,
                now=now,
                auth=self.auth,
                backfill_days=self.imap.backfill_days,
            )
            log.info("folder_synced", folder_index=index, examined=report.examined,
                     new_events=report.new_events, rescanned=report.rescanned)  # fmt: skip
            new += report.new_events
        return new

    def wait_for_mail(self, seconds: float, stop: threading.Event) -> bool:
        """Wait up to `seconds` for new mail in IDLE on the watched folders.

        True means the caller should sync by UID now (the hint itself is not trusted): mail was
        announced, a watching connection was (re)armed or probed and mail from before that is
        not announced, or one failed (the sync reconnects and backs off if the server is down).
        A folder whose IDLE failed IDLE_FAILURES_BEFORE_PAUSE times in a row rests for
        IDLE_PAUSE seconds; the runner's poll job syncs every ALIWATCH_POLL_SECONDS.
        """
        deadline = time.monotonic() + seconds
        rearm_after = min(self.imap.idle_seconds, WATCH_PROBE_SECONDS)
        while not stop.is_set():
            active = [w for w in self._watches if self._watching(w)]
            if not active:
                stop.wait(max(0.0, deadline - time.monotonic()))
                return False
            share = IDLE_TICK / len(active)
            for watch in active:
                try:
                    armed = watch.session is not None
                    session = self._watching_session(watch)
                    if session is None:
                        continue  # the server offers no IDLE: this folder is polled
                    if not armed:  # just armed: mail from before is not announced, so sync
                        if watch.replaced:
                            watch.replaced = False
                            log.info("idle_replaced", folder_index=self._index(watch))
                        return True
                    if session.poll(share, rearm_after):
                        return True
                except ImapError as err:
                    self._failed(watch, err)
                    if not armed:  # could not even connect: give the server a moment
                        stop.wait(min(max(0.0, deadline - time.monotonic()), IDLE_RETRY_WAIT))
                    return True  # sync now: mail it should have announced may be waiting
                watch.failures = 0
            if time.monotonic() >= deadline:
                return False
        return False

    def _watching(self, watch: _Watch) -> bool:
        return watch.offered is not False and time.monotonic() >= watch.paused_until

    def _index(self, watch: _Watch) -> int:
        return self.imap.folders.index(watch.folder)

    def _watching_session(self, watch: _Watch) -> WatchingSession | None:
        if watch.session is None:
            session = WatchingSession(self.imap)
            session.connect()
            if watch.offered is None:
                watch.offered = "IDLE" in session.capabilities()
            if not watch.offered:
                session.logout()
                return None
            try:
                session.select_readonly(watch.folder)
                session.arm()
            except ImapError:
                session.logout()
                raise
            watch.session = session
            log.info("idle_armed", folder_index=self._index(watch))
        return watch.session

    def _failed(self, watch: _Watch, err: ImapError) -> None:
        """Drop a watching connection that failed; rest IDLE on its folder when it keeps failing."""
        session, watch.session = watch.session, None
        if session is not None:
            session.close_quickly()
        watch.failures += 1
        watch.replaced = True
        index = self._index(watch)
        if watch.failures >= IDLE_FAILURES_BEFORE_PAUSE:
            watch.failures = 0
            watch.paused_until = time.monotonic() + IDLE_PAUSE
            log.warning("idle_paused", folder_index=index, error=type(err).__name__,
                        reason=str(err), pause_seconds=IDLE_PAUSE)  # fmt: skip
        else:
            log.warning("idle_failed", folder_index=index, error=type(err).__name__,
                        detail=str(err))  # fmt: skip

    def _drop_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close_quickly()

    def abort(self) -> None:
        """Shut every connection's socket (from the signal handler): a call blocked on a server
        that stopped answering fails at once; close() follows."""
        for session in (self._session, *(w.session for w in self._watches)):
            if session is not None:
                session.shutdown_socket()

    def close(self) -> None:
        """Leave IDLE and log out of every connection, waiting at most a moment for each."""
        for watch in self._watches:
            session, watch.session = watch.session, None
            if session is not None:
                session.close_quickly()
        self._drop_session()

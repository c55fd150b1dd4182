"""The IMAP mailbox as a source for `run`: a sync per pass, and IDLE between passes."""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from daemon.imap import ImapConnectError, ImapError, ImapSession, sync_folder
from daemon.settings import Settings
from daemon.store import Store
from parsers import AuthPolicy

log = structlog.get_logger("aliwatch")
# How long one idle_check may block: the stop flag is looked at this often (issue #4: <= 2 s).
IDLE_TICK = 1.0
# IDLE failing this many times in a row (a server or middlebox that drops idle connections) is
# given up for IDLE_PAUSE seconds: the daemon polls every ALIWATCH_POLL_SECONDS meanwhile.
IDLE_FAILURES_BEFORE_PAUSE = 3
IDLE_PAUSE = 1800.0
IDLE_RETRY_WAIT = 5.0
_NEW_MAIL = (b"EXISTS", b"RECENT")


def _new_mail(responses: list[tuple[object, ...]]) -> bool:
    """Does any untagged response say EXISTS or RECENT (RFC 3501 section 7.3)?"""
    return any(len(r) > 1 and r[1] in _NEW_MAIL for r in responses)


class WatchingSession(ImapSession):
    """A session that stays in IDLE (RFC 2177) on the selected folder while the daemon works.

    IDLE is armed before every sync that follows it, never after: Dovecot does not announce mail
    that arrived while the connection was out of IDLE when IDLE starts again (it waits for its
    next periodic check), so a sync that ran before re-arming could miss a mail for up to
    mailbox_idle_check_interval (make bench caught 1 in 20). Syncs run on their own connection,
    so this one never has to leave IDLE for a FETCH.
    """

    _armed_at: float | None = None

    def arm(self) -> None:
        """Enter IDLE; the caller syncs afterwards (mail before this point is not announced)."""
        with self._errors():
            self._connected().idle()
        self._armed_at = time.monotonic()

    def wait(self, seconds: float, stop: threading.Event, rearm_after: float) -> bool:
        """Stay in IDLE until new mail is announced, `seconds` pass, or `stop` is set.

        True means "sync now": the server announced mail, or IDLE was re-issued because it had
        lasted `rearm_after` seconds (RFC 2177: before the server's 30-minute timeout), which
        opens the same gap as arming does.
        """
        if self._armed_at is None:
            self.arm()
            return True
        deadline = time.monotonic() + seconds
        silent_wakeups = 0
        with self._errors():
            client = self._connected()
            while not stop.is_set():
                now = time.monotonic()
                # A closed socket reads as "readable, nothing there" at once, and idle_check
                # swallows the EOF: two such wakeups in a row make us probe by re-arming, which
                # fails on a dead connection (a TLS ticket alone can cause one harmless wakeup).
                if now - self._armed_at >= rearm_after or silent_wakeups >= 2:
                    return self._rearm()
                if now >= deadline:
                    return False
                tick = min(IDLE_TICK, deadline - now, rearm_after - (now - self._armed_at))
                responses = client.idle_check(timeout=max(0.0, tick))
                if _new_mail(responses):
                    return True
                if any(r and r[0] == b"BYE" for r in responses):  # RFC 3501 section 7.1.5
                    raise ImapConnectError(f"{self.host}:{self.port} closed the IDLE connection")
                early = time.monotonic() - now < tick / 2
                silent_wakeups = silent_wakeups + 1 if early and not responses else 0
        return False

    def _rearm(self) -> bool:
        """Leave IDLE and enter it again; True, because mail in between is not announced."""
        with self._errors():
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
class ImapSource:
    """The configured folders; the first one is watched with IDLE when the server offers it."""

    settings: Settings
    auth: AuthPolicy
    _idle: WatchingSession | None = field(default=None, repr=False)
    _idle_offered: bool | None = None
    _idle_failures: int = 0
    _idle_paused_until: float = 0.0

    @property
    def account(self) -> str:
        return f"{self.settings.imap_user}@{self.settings.imap_host}"

    @property
    def name(self) -> str:
        return f"imap:{self.account}"

    @property
    def activity(self) -> str:
        """How new mail is noticed, for systemd's STATUS= line: IDLE or polling."""
        first = self.settings.imap_folders[0]
        if self._idle_offered is False or time.monotonic() < self._idle_paused_until:
            return f"polling {first} every {round(self.settings.poll_seconds)} s"
        return f"idle on {first}"

    def sync(self, store: Store, now: datetime) -> int:
        """Sync every folder on a fresh connection; the number of new events."""
        new = 0
        with ImapSession(self.settings) as session:
            for folder in self.settings.imap_folders:
                report = sync_folder(
                    session,
                    store,
                    account=self.account,
                    folder=folder,
                    now=now,
                    auth=self.auth,
                    backfill_days=self.settings.backfill_days,
                )
                log.info(
                    "folder_synced",
                    folder_index=self.settings.imap_folders.index(folder),
                    examined=report.examined,
                    new_events=report.new_events,
                    rescanned=report.rescanned,
                )
                new += report.new_events
        return new

    def wait_for_mail(self, seconds: float, stop: threading.Event) -> bool:
        """Wait up to `seconds` for new mail in IDLE on the first folder.

        True means the caller should sync by UID now (the hint itself is not trusted): mail was
        announced, or IDLE was (re)armed and mail from before that is not announced. Without
        IDLE this just waits; when the IDLE connection fails it is dropped and True returned,
        so the sync reconnects and backs off if the server is down. After
        IDLE_FAILURES_BEFORE_PAUSE failures in a row IDLE rests for IDLE_PAUSE seconds and this
        just waits: the runner's poll job syncs every ALIWATCH_POLL_SECONDS (issue #4).
        """
        if self._idle_offered is False or time.monotonic() < self._idle_paused_until:
            stop.wait(seconds)
            return False
        try:
            session = self._idle_session()
            if session is None:
                stop.wait(seconds)
                return False
            hinted = session.wait(seconds, stop, rearm_after=self.settings.idle_seconds)
        except ImapError as err:
            self.close()
            self._idle_failures += 1
            if self._idle_failures >= IDLE_FAILURES_BEFORE_PAUSE:
                self._idle_failures = 0
                self._idle_paused_until = time.monotonic() + IDLE_PAUSE
                log.warning("idle_paused", error=type(err).__name__, pause_seconds=IDLE_PAUSE)
            else:
                log.warning("idle_failed", error=type(err).__name__)
            stop.wait(min(seconds, IDLE_RETRY_WAIT))
            return True
        self._idle_failures = 0
        return hinted

    def _idle_session(self) -> WatchingSession | None:
        if self._idle is None:
            session = WatchingSession(self.settings)
            session.connect()
            if self._idle_offered is None:
                self._idle_offered = "IDLE" in session.capabilities()
            if not self._idle_offered:
                session.logout()
                return None
            session.select_readonly(self.settings.imap_folders[0])
            self._idle = session
        return self._idle

    def close(self) -> None:
        """Leave IDLE and log out of the watching connection."""
        session, self._idle = self._idle, None
        if session is not None:
            session.logout()

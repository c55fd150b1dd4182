"""The IMAP mailbox as a source for `run`: a sync per pass, and IDLE between passes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from daemon.imap import ImapError, ImapSession, sync_folder
from daemon.settings import Settings
from daemon.store import Store
from parsers import AuthPolicy

log = structlog.get_logger("aliwatch")
# How long one idle_check may block: the stop flag is looked at this often (issue #4: <= 2 s).
IDLE_TICK = 1.0
_NEW_MAIL = (b"EXISTS", b"RECENT")


def _new_mail(responses: list[tuple[object, ...]]) -> bool:
    """Does any untagged response say EXISTS or RECENT (RFC 3501 section 7.3)?"""
    return any(len(r) > 1 and r[1] in _NEW_MAIL for r in responses)


class WatchingSession(ImapSession):
    """A session that can also wait in IDLE (RFC 2177) on the selected folder."""

    def idle_until(self, seconds: float, stop: threading.Event) -> bool:
        """IDLE until the server reports new mail, `seconds` pass, or `stop` is set.

        IDLE is always left before returning, so the next command (and any FETCH) runs outside
        it; the responses are hints only.
        """
        deadline = time.monotonic() + seconds
        hinted = False
        with self._errors():
            client = self._connected()
            client.idle()
            try:
                while not stop.is_set() and time.monotonic() < deadline:
                    tick = max(0.0, min(IDLE_TICK, deadline - time.monotonic()))
                    responses = client.idle_check(timeout=tick)
                    if _new_mail(responses):
                        hinted = True
                        break
            finally:
                # Mail that came between the last check and DONE is reported with DONE's answer:
                # dropping it would leave that mail until the next poll (make bench saw this).
                _, tail = client.idle_done()
        return hinted or _new_mail(tail)


@dataclass
class ImapSource:
    """The configured folders; the first one is watched with IDLE when the server offers it."""

    settings: Settings
    auth: AuthPolicy
    _idle: WatchingSession | None = field(default=None, repr=False)
    _idle_offered: bool | None = None

    @property
    def account(self) -> str:
        return f"{self.settings.imap_user}@{self.settings.imap_host}"

    @property
    def name(self) -> str:
        return f"imap:{self.account}"

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
        """Wait up to `seconds` (at most ALIWATCH_IDLE_SECONDS, RFC 2177) for new mail.

        True when the server hinted at new mail; the caller then syncs by UID (the hint itself is
        not trusted). Without IDLE, or when the IDLE connection fails, this just waits.
        """
        seconds = min(seconds, self.settings.idle_seconds)
        if self._idle_offered is False:
            stop.wait(seconds)
            return False
        try:
            fresh = self._idle is None
            session = self._idle_session()
            if session is None:
                stop.wait(seconds)
                return False
            if fresh:
                # Mail that arrived while this connection was being opened is already counted
                # in its SELECT and will never be announced: sync once more (one STATUS).
                return True
            return session.idle_until(seconds, stop)
        except ImapError as err:
            log.warning("idle_failed", error=type(err).__name__)
            self.close()
            stop.wait(min(seconds, 5.0))
            return True  # resync: it reconnects, and backs off if the server is down

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

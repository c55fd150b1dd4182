"""What recognition made of the AliExpress mail in the store: the unrecognised, recent kinds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aliwatch.daemon.store.base import Connected
from aliwatch.daemon.store.codec import text_event, text_time, time_text
from aliwatch.parsers.event import Event, Kind


@dataclass(frozen=True, slots=True)
class StoredMail:
    """An event with where its mail was read: an IMAP folder and UID, or a file (uid 0)."""

    event: Event
    sent_at: datetime
    account: str
    folder: str
    uid: int

    @property
    def is_file(self) -> bool:
        """Was it read from a file (import, Maildir) rather than an IMAP folder?"""
        return self.uid == 0


_WITH_MAIL = (
    "SELECT e.event, e.sent_at, m.account, m.folder, m.uid FROM events e"
    " JOIN mails m ON m.id = e.mail_id"
)


def _stored(row: tuple[str, str, str, str, int]) -> StoredMail:
    event, sent, account, folder, uid = row
    return StoredMail(text_event(event), text_time(sent), account, folder, int(uid))


class Recognition(Connected):
    """The stored AliExpress mail as recognition saw it."""

    def unrecognised(self, since: datetime | None = None) -> list[StoredMail]:
        """AliExpress mail no row recognised, sent at or after `since`, newest first."""
        rows = self._read(
            _WITH_MAIL + " WHERE e.kind = ? AND e.sent_at >= ? ORDER BY e.sent_at DESC, e.id DESC",
            (Kind.UNRECOGNIZED.value, time_text(since) if since else ""),
        )
        return [_stored(tuple(row)) for row in rows]

    def aliexpress_mail_since(self, since: datetime) -> list[StoredMail]:
        """Every stored AliExpress event sent at or after `since`, oldest first."""
        rows = self._read(
            _WITH_MAIL + " WHERE e.sent_at >= ? ORDER BY e.sent_at, e.id", (time_text(since),)
        )
        return [_stored(tuple(row)) for row in rows]

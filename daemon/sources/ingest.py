"""Mail into the store: each mail recognised and recorded, one ingest for every source.

`import`, the local mailbox and the IMAP sync all recognise, hash and classify a mail here, so a
parser bug on one mail is contained the same way everywhere and what "ignored" means is one rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from aliwatch.daemon.sources.inputs import Input
from aliwatch.daemon.store import MailKey, MailStatus, Store
from aliwatch.parsers import AuthPolicy
from aliwatch.parsers.event import Event, Kind
from aliwatch.parsers.recognise import recognise_all

# Recorded without an event: examined, never fetched again.
IGNORED = frozenset({Kind.NOT_ALIEXPRESS, Kind.PROMOTION})
Result = tuple[Event | None, str | None]


def recognise_mail(raw: bytes, auth: AuthPolicy) -> Result:
    """The mail's event, or None and why not (the reason never quotes the mail)."""
    return recognise_all([raw], auth)[0]


def mail_status(event: Event | None) -> MailStatus:
    """How a recognised mail is recorded: failed without an event, ignored when not an event."""
    if event is None:
        return "failed"
    return "ignored" if event.kind in IGNORED else "ok"


def mail_digest(raw: bytes) -> str:
    """The sha256 hex of a mail's bytes: its key when it has no Message-ID."""
    return hashlib.sha256(raw).hexdigest()


@dataclass
class IngestReport:
    """What a pass over some inputs did; counts and paths only, never mail content.

    Every input lands in exactly one count, so they add up to `inputs`: mail recorded
    (`new_events`, `ignored`, `duplicates`, `failed`), mail recorded before (`already_seen`),
    and paths that gave no mail (`missing`, `unreadable`, `not_mail`, named in `problems`).
    `examined` is the mail recorded in this pass, as before.
    """

    examined: int = 0
    new_events: int = 0
    failed: int = 0
    already_seen: int = 0
    ignored: int = 0
    duplicates: int = 0
    missing: int = 0
    unreadable: int = 0
    not_mail: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def inputs(self) -> int:
        """Every input looked at: the sum of the counts."""
        return self.examined + self.already_seen + self.missing + self.unreadable + self.not_mail

    @property
    def usable(self) -> int:
        """Inputs that were mail (recorded now or before)."""
        return self.examined + self.already_seen


def ingest(
    store: Store, items: Iterable[Input], now: datetime, auth: AuthPolicy, *, account: str
) -> IngestReport:
    """Recognise and record every mail; one that fails to parse is recorded as failed, never
    fatal. A path that gave no mail (missing, unreadable, not mail) is counted and named, not
    recorded: it is looked at again next time, when it may have become mail."""
    report = IngestReport()
    for item in items:
        if item.fault is not None:
            setattr(report, item.fault, getattr(report, item.fault) + 1)
            report.problems.append((item.name, item.error or item.fault))
            continue
        key = MailKey(account=account, folder=item.name, uidvalidity=0, uid=0)
        if store.is_recorded(key):
            report.already_seen += 1
            continue
        report.examined += 1
        digest = mail_digest(item.data or b"")
        event: Event | None = None
        error = item.error
        if item.data is not None:
            event, error = recognise_mail(item.data, auth)
        status = mail_status(event)
        report.failed += event is None
        report.ignored += status == "ignored"
        if store.record(key, event, raw_digest=digest, status=status, error=error, now=now):
            report.new_events += 1
            kind = event.kind.value if event else "failed"
            report.kinds[kind] = report.kinds.get(kind, 0) + 1
        elif status == "ok":
            report.duplicates += 1  # an event its Message-ID (or bytes) already brought
    return report

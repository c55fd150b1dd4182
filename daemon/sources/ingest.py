"""Mail into the store: each mail recognised and recorded, one ingest for every source."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from daemon.sources.inputs import Input
from daemon.store import MailKey, MailStatus, Store
from parsers import AuthPolicy, MailParseError, recognise
from parsers.event import Event, Kind

_IGNORED = frozenset({Kind.NOT_ALIEXPRESS, Kind.PROMOTION})


@dataclass
class IngestReport:
    """What a pass over some mail did; counts only, never mail content."""

    examined: int = 0
    new_events: int = 0
    failed: int = 0
    already_seen: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def ingest(
    store: Store, items: Iterable[Input], now: datetime, auth: AuthPolicy, *, account: str
) -> IngestReport:
    """Recognise and record every mail; an unreadable one is recorded as failed, never fatal."""
    report = IngestReport()
    for item in items:
        key = MailKey(account=account, folder=item.name, uidvalidity=0, uid=0)
        if store.is_recorded(key):
            report.already_seen += 1
            continue
        report.examined += 1
        data = item.data or b""
        digest = hashlib.sha256(data).hexdigest()
        event: Event | None = None
        error = item.error
        if item.data is not None:
            try:
                event = recognise(item.data, auth)
            except MailParseError as err:
                error = str(err)
        status: MailStatus = "failed" if event is None else "ok"
        if event is not None and event.kind in _IGNORED:
            status = "ignored"  # recorded as examined, never fetched again, no event kept
        report.failed += event is None
        if store.record(key, event, raw_digest=digest, status=status, error=error, now=now):
            report.new_events += 1
            kind = event.kind.value if event else "failed"
            report.kinds[kind] = report.kinds.get(kind, 0) + 1
    return report

"""A local mailbox (Maildir, folder of .eml, mbox) as a source for `run`, like `import` reads."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aliwatch.daemon.sources.ingest import ingest
from aliwatch.daemon.sources.inputs import iter_inputs
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy


@dataclass(frozen=True, slots=True)
class LocalMailbox:
    """Mail files under `path`; each file is examined once (its path is its key)."""

    path: Path
    auth: AuthPolicy

    @property
    def name(self) -> str:
        return f"maildir:{self.path}"

    @property
    def activity(self) -> str:
        return f"watching {self.path}"

    def wait_for_mail(self, seconds: float, stop: threading.Event) -> bool | None:
        """Files announce nothing: the loop sleeps until its next poll."""
        del seconds, stop
        return None

    def close(self) -> None:
        """Nothing stays open between syncs."""

    def abort(self) -> None:
        """Reading files is not broken off: each read is short."""

    def sync(self, store: Store, now: datetime) -> int:
        """Record new files; the number of new events."""
        items = iter_inputs([str(self.path)], sys.stdin.buffer)
        return ingest(store, items, now, self.auth, account=self.name).new_events

"""Shared helpers for the store tests: a fresh database, real mails, mail keys, row counts."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from aliwatch.daemon.store import MailKey
from aliwatch.parsers import Event, recognise
from tests.support import REPO

ROOT = REPO
FIXTURES = ROOT / "tests" / "fixtures"
MAILBOX = ROOT / "examples" / "mailbox"
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def real_mail(path: Path) -> tuple[Event, str]:
    """A real mail's event and the sha256 of its bytes."""
    raw = path.read_bytes()
    return recognise(raw), hashlib.sha256(raw).hexdigest()


def fixture(name: str) -> tuple[Event, str]:
    """A fixture mail by its path under tests/fixtures ("order/order_shipped_en.eml")."""
    return real_mail(FIXTURES / name)


def key(uid: int, uidvalidity: int = 1, folder: str = "INBOX") -> MailKey:
    return MailKey("buyer@example.org", folder, uidvalidity, uid)


def count(path: Path, table: str) -> int:
    """Rows in a table, read through a connection of its own (what another process sees)."""
    db = sqlite3.connect(path)
    try:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - test table names
    finally:
        db.close()

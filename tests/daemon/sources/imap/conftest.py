"""Helpers for the IMAP tests: settings for a test server, a fresh store and folder, mail."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest

from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.sources.imap import ImapSession, SyncReport, sync_folder
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy
from tests.fixture_corpus import FIXTURES
from tests.servers.cyrus import ImapServer

AUTH = AuthPolicy()
ACCOUNT = "user@example.com"
FIXTURE_MAILS = sorted(FIXTURES.rglob("*.eml"))


def settings_for(server: ImapServer, **overrides: Any) -> Settings:
    """Settings that reach a test server over verified TLS (imaps) unless overridden."""
    values: dict[str, Any] = {
        "imap_host": server.host,
        "imap_port": server.imaps_port,
        "imap_user": server.user,
        "imap_security": "ssl",
        "imap_ca_file": server.ca_file,
        "imap_password": server.password,
        "imap_password_file": None,
        "imap_password_command": None,
        "imap_oauth2_token_command": None,
        "imap_timeout": 10.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def db_rows(db_path: Path) -> Callable[[str], list[tuple[Any, ...]]]:
    """Run a read-only query on the test store's database file."""

    def query(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(db_path) as db:
            return db.execute(sql).fetchall()

    return query


@pytest.fixture
def folder(request: pytest.FixtureRequest) -> str:
    """A new, empty folder named after the test, on the server the test uses: each real server
    in turn for a test that takes `imap_server`, else the test Dovecot (`dovecot`)."""
    uses = "imap_server" if "imap_server" in request.fixturenames else "dovecot"
    server: ImapServer = request.getfixturevalue(uses)
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name)[:40] + "-" + uuid.uuid4().hex[:6]
    server.recreate_folder(name)
    return name


def append_all(server: ImapServer, folder: str, mails: list[bytes], **kwargs: Any) -> None:
    """APPEND each mail to the folder over one connection."""
    with server.client() as imap:
        for raw in mails:
            imap.append(folder, raw, **kwargs)


def other_mail(n: int) -> bytes:
    """A plain mail from someone who is not AliExpress."""
    msg = EmailMessage()
    msg["From"] = f"Shop {n} <orders@shop{n}.example.org>"
    msg["To"] = "user@example.com"
    msg["Subject"] = f"Your order {n} from another shop"
    msg["Message-ID"] = make_msgid(domain="shop.example.org")
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg.set_content(f"Thanks for your order number {n}. Refund, dispute and order words here.")
    return bytes(msg)


def sync_once(
    server: ImapServer, store: Store, folder: str, session: ImapSession | None = None
) -> SyncReport:
    """One sync of `folder` into `store` (backfill window 30 days), on `session` or a new one."""
    now = datetime.now(UTC)
    if session is not None:
        return sync_folder(
            session, store, account=ACCOUNT, folder=folder, now=now, auth=AUTH, backfill_days=30
        )
    with ImapSession(settings_for(server).imap()) as opened:
        return sync_folder(
            opened, store, account=ACCOUNT, folder=folder, now=now, auth=AUTH, backfill_days=30
        )

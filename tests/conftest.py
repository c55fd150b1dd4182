"""Shared fixtures: real servers on loopback, started and stopped by the suite itself."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from aliwatch.daemon.store import Store
from tests.servers import cyrus as cyrus_server
from tests.servers import dunst as dunst_server
from tests.servers.cyrus import Cyrus, ImapServer
from tests.servers.dbus import DBUS_DAEMON, SessionBus
from tests.servers.dovecot import DOVECOT, Dovecot
from tests.servers.dunst import Dunst
from tests.servers.smtp import SmtpServer


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's store lives: in a folder the store must create, as at a first start."""
    return tmp_path / "state" / "aliwatch.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A fresh, migrated store, closed after the test."""
    with Store.open(db_path) as opened:
        yield opened


def missing_server(reason: str) -> None:
    """A server the test needs is unavailable: a failure under CI=true, a skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing server is a failure; run `make test`)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A private Dovecot (imaps + imap on 127.0.0.1) for the whole session."""
    if not os.access(DOVECOT, os.X_OK):
        missing_server(f"{DOVECOT} not installed (apt-get install dovecot-imapd)")
    if shutil.which("openssl") is None:
        missing_server("openssl not installed (needed for the test TLS cert)")
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def cyrus() -> Iterator[Cyrus]:
    """A private Cyrus IMAP (imaps + imap on 127.0.0.1) for the whole session."""
    reason = cyrus_server.missing()
    if reason is not None:
        missing_server(reason)
    server = Cyrus()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


# The real IMAP servers every test of server behaviour runs against (tests/servers/).
IMAP_SERVERS = ["dovecot", "cyrus"]


@pytest.fixture(params=IMAP_SERVERS)
def imap_server(request: pytest.FixtureRequest) -> ImapServer:
    """Each real IMAP server in turn (the session's instance): Dovecot, then Cyrus."""
    server: ImapServer = request.getfixturevalue(request.param)
    return server


@pytest.fixture
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd, STARTTLS + AUTH) on loopback, one per test."""
    if shutil.which("openssl") is None:
        missing_server("openssl not installed (needed for the test TLS cert)")
    server = SmtpServer(tmp_path_factory.mktemp("smtp")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def session_bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionBus]:
    """A private session D-Bus with a recording notification server, one per test."""
    if not os.access(DBUS_DAEMON, os.X_OK):
        missing_server(f"{DBUS_DAEMON} not installed (apt-get install dbus)")
    bus = SessionBus(tmp_path_factory.mktemp("dbus")).start()
    try:
        yield bus
    finally:
        bus.stop()


@pytest.fixture
def dunst(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dunst]:
    """dunst, a real notification server, under Xvfb on a private session bus, one per test."""
    reason = dunst_server.missing()
    if reason is not None:
        missing_server(reason)
    server = Dunst(tmp_path_factory.mktemp("dunst"))
    try:
        yield server.start()
    finally:
        server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the holdout's recognition score (tests/parsers/test_holdout.py) after every run."""
    from tests.parsers.test_holdout import SCORES  # noqa: PLC0415 - filled only when it ran

    for name, (right, total) in SCORES.items():
        terminalreporter.write_line(f"holdout recognition: {name} {right}/{total}")

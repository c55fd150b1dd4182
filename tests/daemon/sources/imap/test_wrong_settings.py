"""Each way of pointing the IMAP settings at the wrong place gets its own message with the fix:
a name that does not resolve, a port nobody listens on, TLS against a plain port, plain
against an implicit-TLS port (real servers: the suite's Dovecot and Cyrus)."""

from __future__ import annotations

import time

import pytest

from aliwatch.daemon.sources.imap import ImapConnectError, ImapSession, ImapTLSError
from tests.daemon.sources.imap.conftest import settings_for
from tests.servers.dovecot import _free_port

pytestmark = pytest.mark.real_server

# RFC 2606 reserves .invalid: it never resolves, whatever the network.
UNRESOLVABLE = "imap.aliwatch.invalid"


def _connect(settings) -> str:  # type: ignore[no-untyped-def]
    session = ImapSession(settings.imap())
    with pytest.raises((ImapConnectError, ImapTLSError)) as caught:
        session.connect()
    return str(caught.value)


def test_a_name_that_does_not_resolve_says_so_and_names_the_setting(dovecot):
    message = _connect(settings_for(dovecot, imap_host=UNRESOLVABLE))
    assert message.startswith(f"cannot resolve ALIWATCH_IMAP_HOST {UNRESOLVABLE}: ")
    assert "lost the connection" not in message


def test_a_port_nobody_listens_on_says_refused_and_names_the_port_setting(dovecot):
    port = _free_port()
    message = _connect(settings_for(dovecot, imap_port=port))
    assert f"{dovecot.host}:{port} refused the connection" in message
    assert "ALIWATCH_IMAP_PORT" in message
    assert "lost the connection" not in message


def test_ssl_against_the_plain_port_says_the_port_speaks_plain_imap(imap_server):
    settings = settings_for(imap_server, imap_security="ssl", imap_port=imap_server.imap_port)
    message = _connect(settings)
    assert f"port {imap_server.imap_port} of {imap_server.host} speaks plain IMAP" in message
    assert "ALIWATCH_IMAP_SECURITY=starttls" in message


@pytest.mark.parametrize("security", ["starttls", "none"])
def test_plain_against_the_tls_port_says_set_ssl_within_seconds(dovecot, security):
    # ALIWATCH_IMAP_TIMEOUT stays at 60 s: the greeting has its own, shorter bound.
    settings = settings_for(
        dovecot, imap_security=security, imap_port=dovecot.imaps_port, imap_timeout=60.0
    )
    started = time.monotonic()
    message = _connect(settings)
    took = time.monotonic() - started
    assert f"port {dovecot.imaps_port} of {dovecot.host} speaks TLS" in message
    assert "ALIWATCH_IMAP_SECURITY=ssl" in message
    assert took < 30, took

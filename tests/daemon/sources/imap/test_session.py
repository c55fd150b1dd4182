"""Connecting to each real IMAP server (Dovecot, Cyrus): TLS modes, verification, login failures
and their errors."""

from __future__ import annotations

import contextlib
import socket

import pytest

from aliwatch.daemon.sources.imap import (
    ImapAuthError,
    ImapConfigError,
    ImapConnectError,
    ImapSession,
    ImapTLSError,
)
from tests.daemon.sources.imap.conftest import settings_for
from tests.servers.dovecot import _free_port

pytestmark = pytest.mark.real_server


def test_ssl_on_the_imaps_port_verifies_with_the_ca_file_and_logs_in(imap_server):
    with ImapSession(settings_for(imap_server, imap_security="ssl").imap()) as session:
        assert session.select_readonly("INBOX") > 0


def test_starttls_on_the_plain_port_verifies_with_the_ca_file_and_logs_in(imap_server):
    settings = settings_for(imap_server, imap_security="starttls", imap_port=imap_server.imap_port)
    with ImapSession(settings.imap()) as session:
        assert session.select_readonly("INBOX") > 0


def test_none_on_loopback_logs_in_without_tls(dovecot):
    # Dovecot only: Cyrus (allowplaintext: no, its default) announces LOGINDISABLED on the plain
    # port and refuses LOGIN before STARTTLS, so there is no clear-text login to test there.
    settings = settings_for(dovecot, imap_security="none", imap_port=dovecot.imap_port)
    with ImapSession(settings.imap()) as session:
        assert "IDLE" in session.capabilities()


def test_a_wrong_password_raises_imap_auth_error_without_quoting_it(imap_server):
    # One wrong login only: Dovecot delays every later login from this address after each.
    wrong = "not-" + imap_server.password
    settings = settings_for(imap_server, imap_password=wrong)
    with pytest.raises(ImapAuthError) as caught, ImapSession(settings.imap()):
        pass
    assert wrong not in str(caught.value)


def test_ssl_without_the_ca_file_raises_a_tls_error_naming_the_host(imap_server):
    settings = settings_for(imap_server, imap_ca_file=None)
    with pytest.raises(ImapTLSError) as caught, ImapSession(settings.imap()):
        pass
    message = str(caught.value)
    assert imap_server.host in message
    assert "did not verify" in message
    assert "ALIWATCH_IMAP_CA_FILE" in message


def test_starttls_without_the_ca_file_raises_a_tls_error(imap_server):
    settings = settings_for(
        imap_server, imap_security="starttls", imap_port=imap_server.imap_port, imap_ca_file=None
    )
    with pytest.raises(ImapTLSError, match="did not verify"), ImapSession(settings.imap()):
        pass


def test_security_none_to_a_non_loopback_host_is_refused_before_connecting(dovecot, monkeypatch):
    attempts = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: attempts.append(a))
    settings = settings_for(dovecot, imap_security="none", imap_host="192.0.2.1", imap_port=143)
    with pytest.raises(ImapConfigError, match="not loopback"), ImapSession(settings.imap()):
        pass
    assert attempts == []


def test_nobody_listening_raises_imap_connect_error(dovecot):
    settings = settings_for(dovecot, imap_port=_free_port())
    with pytest.raises(ImapConnectError), ImapSession(settings.imap()):
        pass


def test_the_password_command_is_a_working_source(imap_server, tmp_path):
    secret = tmp_path / "password"
    secret.write_text(imap_server.password + "\n", encoding="utf-8")
    settings = settings_for(imap_server, imap_password=None, imap_password_command=f"cat {secret}")
    with ImapSession(settings.imap()) as session:
        assert session.select_readonly("INBOX") > 0


def test_a_session_selects_folders_read_only(imap_server, folder):
    uid = imap_server.append(folder, b"Subject: hello\r\n\r\nhello\r\n")
    with ImapSession(settings_for(imap_server).imap()) as session:
        session.select_readonly(folder)
        client = session._client
        assert client is not None
        with contextlib.suppress(client.Error):  # a server may refuse or silently ignore it
            client.add_flags([uid], [b"\\Seen"])
    with imap_server.client() as imap:
        imap.select_folder(folder, readonly=True)
        assert b"\\Seen" not in imap.get_flags([uid])[uid]


def test_fetches_use_body_peek_even_in_a_folder_selected_read_write(imap_server, folder):
    # The read-only select alone would hide a missing PEEK; select read-write to see PEEK's part.
    uid = imap_server.append(folder, b"Subject: hello\r\n\r\nhello\r\n")
    with ImapSession(settings_for(imap_server).imap()) as session:
        client = session._client
        assert client is not None
        client.select_folder(folder, readonly=False)
        assert session.fetch_headers([uid]) and session.fetch_bodies([uid])
    with imap_server.client() as imap:
        imap.select_folder(folder, readonly=True)
        assert b"\\Seen" not in imap.get_flags([uid])[uid]


def test_a_tls_eof_on_an_open_connection_is_a_lost_connection_not_a_tls_problem(dovecot):
    import ssl  # noqa: PLC0415 - only this test raises the ssl module's errors

    session = ImapSession(settings_for(dovecot).imap())
    with pytest.raises(ImapTLSError), session._errors():  # during the handshake: port/security
        raise ssl.SSLEOFError(8, "EOF occurred in violation of protocol")
    session._client = object()  # type: ignore[assignment]  # stands for a logged-in client
    with pytest.raises(ImapConnectError), session._errors():  # a server restart under IDLE
        raise ssl.SSLEOFError(8, "EOF occurred in violation of protocol")
    session._client = None


def test_none_against_a_server_that_wants_tls_first_names_the_setting(cyrus):
    # Cyrus announces LOGINDISABLED on its plain port (RFC 3501 section 6.2.3).
    settings = settings_for(cyrus, imap_security="none", imap_port=cyrus.imap_port)
    with pytest.raises(ImapConfigError, match="set ALIWATCH_IMAP_SECURITY=starttls"):
        ImapSession(settings.imap()).connect()

"""Mail that went through each real IMAP server (Dovecot, Cyrus; verified TLS) reads as it did on
disk."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from imapclient import IMAPClient

from aliwatch.parsers import recognise
from tests.fixture_corpus import FIXTURES
from tests.servers.cyrus import ImapServer
from tests.support import REPO

pytestmark = pytest.mark.real_server

SAMPLES = REPO / "tests" / "servers" / "sample_mail"


def _mails() -> list[Path]:
    """Our own samples plus the first fixture of each category (the corpus is still growing)."""
    picked = sorted(SAMPLES.glob("*.eml"))
    for category in ("order", "parcel", "dispute", "cancel", "other"):
        picked += sorted((FIXTURES / category).glob("*.eml"))[:1]
    return picked


MAILS = _mails()


def _fetch(server: ImapServer, folder: str, uid: int) -> bytes:
    with server.client() as imap:
        imap.select_folder(folder, readonly=True)
        return imap.fetch([uid], [b"BODY.PEEK[]"])[uid][b"BODY[]"]


@pytest.mark.parametrize("eml", MAILS, ids=lambda p: str(p.relative_to(REPO / "tests")))
def test_mail_fetched_from_the_server_is_recognised_like_the_file(imap_server, eml):
    raw = eml.read_bytes()
    folder = f"pipeline-{eml.parent.name}-{eml.stem}"
    imap_server.recreate_folder(folder)
    uid = imap_server.append(folder, raw)

    fetched = _fetch(imap_server, folder, uid)

    assert recognise(fetched).to_json() == recognise(raw).to_json()


def test_fetching_with_body_peek_leaves_the_message_unseen(imap_server):
    imap_server.recreate_folder("peek")
    uid = imap_server.append("peek", MAILS[0].read_bytes())
    with imap_server.client() as imap:
        # Read-write on purpose: only PEEK, not a read-only select, may keep \Seen unset here.
        imap.select_folder("peek", readonly=False)
        imap.fetch([uid], [b"BODY.PEEK[]"])
        flags = imap.get_flags([uid])[uid]
    assert b"\\Seen" not in flags


def test_fetching_without_peek_would_mark_the_message_seen(imap_server):
    # The control for the test above: the server does set \Seen, so its absence means something.
    imap_server.recreate_folder("nopeek")
    uid = imap_server.append("nopeek", MAILS[0].read_bytes())
    with imap_server.client() as imap:
        imap.select_folder("nopeek", readonly=False)
        imap.fetch([uid], [b"BODY[]"])
        flags = imap.get_flags([uid])[uid]
    assert b"\\Seen" in flags


def test_tls_without_the_test_ca_is_refused_for_an_unverifiable_certificate(imap_server):
    system_trust = ssl.create_default_context()
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        IMAPClient(imap_server.host, imap_server.imaps_port, ssl=True, ssl_context=system_trust)


def test_tls_with_the_test_ca_verifies_the_server_and_logs_in(imap_server):
    with imap_server.client() as imap:
        assert imap.has_capability("IDLE")


def test_recreating_a_folder_changes_its_uidvalidity(imap_server):
    imap_server.recreate_folder("rebuilt")
    before = imap_server.uidvalidity("rebuilt")
    imap_server.recreate_folder("rebuilt")
    assert imap_server.uidvalidity("rebuilt") != before


def test_restart_keeps_ports_and_mail(imap_server):
    # A second, private instance: restarting the session's server would disturb other tests.
    raw = MAILS[0].read_bytes()
    with type(imap_server)() as server:
        uid = server.append("kept", raw)
        ports = (server.imap_port, server.imaps_port)
        with server.client() as connected:
            server.restart()
            # A real restart: a session from before it is gone, not kept by a surviving process.
            with pytest.raises((IMAPClient.AbortError, OSError)):
                connected.noop()
        assert (server.imap_port, server.imaps_port) == ports
        assert _fetch(server, "kept", uid).replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")

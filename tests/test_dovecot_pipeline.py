"""Mail that went through a real IMAP server (Dovecot, verified TLS) reads as it did on disk."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from imapclient import IMAPClient

from parsers import recognise
from tests.fixture_corpus import FIXTURES

pytestmark = pytest.mark.real_server

SAMPLES = Path(__file__).parent / "servers" / "sample_mail"


def _mails() -> list[Path]:
    """Our own samples plus the first fixture of each category (the corpus is still growing)."""
    picked = sorted(SAMPLES.glob("*.eml"))
    for category in ("order", "parcel", "dispute", "cancel", "other"):
        picked += sorted((FIXTURES / category).glob("*.eml"))[:1]
    return picked


MAILS = _mails()


def _fetch(dovecot, folder: str, uid: int) -> bytes:
    with dovecot.client() as imap:
        imap.select_folder(folder, readonly=True)
        return imap.fetch([uid], [b"BODY.PEEK[]"])[uid][b"BODY[]"]


@pytest.mark.parametrize("eml", MAILS, ids=lambda p: str(p.relative_to(Path(__file__).parent)))
def test_mail_fetched_from_dovecot_is_recognised_like_the_file(dovecot, eml):
    raw = eml.read_bytes()
    folder = f"pipeline-{eml.parent.name}-{eml.stem}"
    dovecot.recreate_folder(folder)
    uid = dovecot.append(folder, raw)

    fetched = _fetch(dovecot, folder, uid)

    assert recognise(fetched).to_json() == recognise(raw).to_json()


def test_fetching_with_body_peek_leaves_the_message_unseen(dovecot):
    dovecot.recreate_folder("peek")
    uid = dovecot.append("peek", MAILS[0].read_bytes())
    with dovecot.client() as imap:
        # Read-write on purpose: only PEEK, not a read-only select, may keep \Seen unset here.
        imap.select_folder("peek", readonly=False)
        imap.fetch([uid], [b"BODY.PEEK[]"])
        flags = imap.get_flags([uid])[uid]
    assert b"\\Seen" not in flags


def test_fetching_without_peek_would_mark_the_message_seen(dovecot):
    # The control for the test above: the server does set \Seen, so its absence means something.
    dovecot.recreate_folder("nopeek")
    uid = dovecot.append("nopeek", MAILS[0].read_bytes())
    with dovecot.client() as imap:
        imap.select_folder("nopeek", readonly=False)
        imap.fetch([uid], [b"BODY[]"])
        flags = imap.get_flags([uid])[uid]
    assert b"\\Seen" in flags


def test_tls_without_the_test_ca_is_refused_for_an_unverifiable_certificate(dovecot):
    system_trust = ssl.create_default_context()
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        IMAPClient(dovecot.host, dovecot.imaps_port, ssl=True, ssl_context=system_trust)


def test_tls_with_the_test_ca_verifies_the_server_and_logs_in(dovecot):
    with dovecot.client() as imap:
        assert imap.has_capability("IDLE")


def test_recreating_a_folder_changes_its_uidvalidity(dovecot):
    dovecot.recreate_folder("rebuilt")
    before = dovecot.uidvalidity("rebuilt")
    dovecot.recreate_folder("rebuilt")
    assert dovecot.uidvalidity("rebuilt") != before


def test_restart_keeps_ports_and_mail(dovecot):
    # A second, private instance: restarting the session's server would disturb other tests.
    raw = MAILS[0].read_bytes()
    with type(dovecot)() as server:
        uid = server.append("kept", raw)
        ports = (server.imap_port, server.imaps_port)
        server.restart()
        assert (server.imap_port, server.imaps_port) == ports
        assert _fetch(server, "kept", uid).replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")

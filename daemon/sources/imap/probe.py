"""What a port speaks, asked only after a connection failed: TLS, or plain IMAP.

A client that waits for an IMAP greeting on an implicit-TLS port waits forever (the server
waits for a TLS ClientHello), and a TLS handshake against a plain port fails with OpenSSL's
"wrong version number": neither says which setting is wrong. These probes send nothing but a
ClientHello, or nothing at all, so no password or mail is ever at stake.
"""

from __future__ import annotations

import socket
import ssl
from contextlib import suppress

# TLS record content types (RFC 8446 section 5.1): a server that speaks TLS answers a
# ClientHello with a handshake record (its ServerHello) or an alert.
_TLS_HANDSHAKE = 0x16
_TLS_ALERT = 0x15
# An IMAP server greets first, untagged: "* OK", "* PREAUTH" or "* BYE" (RFC 3501 section 7.1).
_IMAP_GREETING = b"* "


def speaks_tls(host: str, port: int, context: ssl.SSLContext, seconds: float) -> bool:
    """Does `port` answer a TLS ClientHello with a TLS record within `seconds`?"""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    hello = context.wrap_bio(incoming, outgoing, server_hostname=host)
    with suppress(ssl.SSLWantReadError):
        hello.do_handshake()  # writes the ClientHello to `outgoing`, then wants the answer
    try:
        with socket.create_connection((host, port), seconds) as sock:
            sock.sendall(outgoing.read())
            first = sock.recv(1)
    except OSError:
        return False
    return first[:1] in (bytes([_TLS_HANDSHAKE]), bytes([_TLS_ALERT]))


def greets_in_plain(host: str, port: int, seconds: float) -> bool:
    """Does `port` greet in plain text, as an IMAP server without implicit TLS does?"""
    try:
        with socket.create_connection((host, port), seconds) as sock:
            first = sock.recv(len(_IMAP_GREETING))
    except OSError:
        return False
    return first == _IMAP_GREETING

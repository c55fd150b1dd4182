"""What the IMAP session and the email channel share about a server: is the configured host
this machine, the TLS context that verifies its certificate, and what to say when it does not."""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine by its literal name or address (no DNS is asked)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """A context that verifies the server's certificate and host name: against `ca_file` when
    set (a private CA), else the system's trust store; OSError or ssl.SSLError if it is bad."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


def unverified(host: str, err: ssl.SSLCertVerificationError) -> str:
    """The start of the message for a certificate that did not verify: the host and why."""
    return f"the TLS certificate of {host} did not verify ({err.verify_message})"

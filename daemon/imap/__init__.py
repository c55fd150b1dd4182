"""IMAP source: a read-only session over verified TLS and an incremental, UID-based folder sync."""

from daemon.imap.errors import (
    ImapAuthError,
    ImapConfigError,
    ImapConnectError,
    ImapError,
    ImapTLSError,
)
from daemon.imap.session import ImapSession
from daemon.imap.sync import SyncReport, sync_folder

__all__ = [
    "ImapAuthError",
    "ImapConfigError",
    "ImapConnectError",
    "ImapError",
    "ImapSession",
    "ImapTLSError",
    "SyncReport",
    "sync_folder",
]

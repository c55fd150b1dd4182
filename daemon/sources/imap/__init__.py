"""IMAP source: a read-only session over verified TLS and an incremental, UID-based folder sync."""

from aliwatch.daemon.sources.imap.errors import (
    ImapAuthError,
    ImapConfigError,
    ImapConnectError,
    ImapError,
    ImapReplyError,
    ImapTLSError,
)
from aliwatch.daemon.sources.imap.session import ImapSession
from aliwatch.daemon.sources.imap.sync import SyncReport, sync_folder

__all__ = [
    "ImapAuthError",
    "ImapConfigError",
    "ImapConnectError",
    "ImapError",
    "ImapReplyError",
    "ImapSession",
    "ImapTLSError",
    "SyncReport",
    "sync_folder",
]

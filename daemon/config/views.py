"""Narrow views of the settings: what one adapter reads (Settings.imap(), Settings.smtp()).

Each is a frozen value built once from the settings, so the IMAP source and session and the
email channel depend on their own few fields, not on every setting aliwatch has.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aliwatch.daemon.config.secrets import PasswordSource

Security = Literal["ssl", "starttls", "none"]


@dataclass(frozen=True, slots=True)
class Server:
    """A mail server to log in to, as ALIWATCH_IMAP_* or ALIWATCH_SMTP_* describe it; the port
    is the one set or the default for `security`."""

    host: str | None
    port: int
    security: Security
    ca_file: Path | None
    timeout: float
    user: str | None
    password: PasswordSource


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """What the IMAP source and its sessions read: the server, the folders and the timing."""

    server: Server
    oauth2_token_command: str | None
    folders: tuple[str, ...]
    backfill_days: int
    poll_seconds: float
    idle_seconds: float

    @property
    def account(self) -> str:
        """The mailbox's name in the store and in the source's name: user@host."""
        return f"{self.server.user}@{self.server.host}"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """What the email channel reads: the server, and the addresses alerts go to and come from."""

    server: Server
    to: str | None
    sender: str | None

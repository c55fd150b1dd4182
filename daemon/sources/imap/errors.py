"""The IMAP layer's own exceptions: no imapclient, socket or ssl error escapes this package."""

from __future__ import annotations

from aliwatch.daemon.config.errors import AliwatchError, ConfigError


class ImapError(AliwatchError):
    """An IMAP operation failed; the base of every error below.

    Raised as such when the server refuses a command after login (a folder that does not exist,
    a malformed response). The library's error is kept as `__cause__`; messages never quote a
    password, a token or a mail.
    """

    # True when no login to this mailbox had succeeded yet in this process: the settings (host,
    # port, security, password), not a passing outage, are the likely cause (set by the source).
    first_contact: bool = False


class ImapAuthError(ImapError):
    """The server refused the login (wrong password, expired or revoked token).

    The caller counts these apart from network errors: retrying does not fix a wrong password.
    """


class ImapConnectError(ImapError):
    """The network failed: the host was not reached, a read timed out, or the server went away."""


class ImapTLSError(ImapError):
    """TLS could not be set up: the certificate did not verify, or the handshake failed.

    The message names the host and suggests ALIWATCH_IMAP_CA_FILE for a private CA.
    """


class ImapConfigError(ImapError, ConfigError):
    """The settings cannot be used: no host or user, `none` security to a non-loopback host, an
    unreadable CA or password file, or a password or token command that failed."""


class ImapReplyError(ImapError):
    """The server answered, but not in a shape the sync can use (a FETCH reply without the items
    asked for). Never a silent zero: the sync stops and says which items were missing."""

"""The IMAP password and OAuth2 token from config/secrets.py, failing as ImapConfigError."""

from __future__ import annotations

from aliwatch.daemon.config.secrets import SecretError, password, run_command
from aliwatch.daemon.config.views import ImapSettings
from aliwatch.daemon.sources.imap.errors import ImapConfigError


def imap_password(imap: ImapSettings) -> str:
    """The password: ALIWATCH_IMAP_PASSWORD, else _FILE, else _COMMAND, else the credential.

    Raises ImapConfigError when no source is set, or the one set cannot be read or is empty.
    """
    try:
        return password(imap.server.password)
    except SecretError as err:
        raise ImapConfigError(str(err)) from None  # the message says it all; no output chained


def oauth2_token(imap: ImapSettings) -> str:
    """A fresh OAuth2 access token printed by ALIWATCH_IMAP_OAUTH2_TOKEN_COMMAND.

    Run again before each login, so the command can refresh an expired token. Raises
    ImapConfigError when the command is not set, fails, times out or prints nothing.
    """
    if imap.oauth2_token_command is None:
        raise ImapConfigError("no OAuth2 token command: set ALIWATCH_IMAP_OAUTH2_TOKEN_COMMAND")
    try:
        return run_command(
            imap.oauth2_token_command,
            "ALIWATCH_IMAP_OAUTH2_TOKEN_COMMAND",
            imap.server.timeout,
            "IMAP",
        )
    except SecretError as err:
        raise ImapConfigError(str(err)) from None  # the message says it all; no output chained

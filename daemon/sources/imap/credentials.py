"""The IMAP password and OAuth2 token from config/secrets.py, failing as ImapConfigError."""

from __future__ import annotations

from aliwatch.daemon.config.secrets import CREDENTIAL_NAME, SecretError, password, run_command
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.sources.imap.errors import ImapConfigError


def imap_password(settings: Settings) -> str:
    """The password: ALIWATCH_IMAP_PASSWORD, else _FILE, else _COMMAND, else the credential.

    Raises ImapConfigError when no source is set, or the one set cannot be read or is empty.
    """
    try:
        return password(
            "IMAP",
            value=settings.imap_password,
            file=settings.imap_password_file,
            command=settings.imap_password_command,
            credential=CREDENTIAL_NAME,
            timeout=settings.imap_timeout,
        )
    except SecretError as err:
        raise ImapConfigError(str(err)) from None  # the message says it all; no output chained


def oauth2_token(settings: Settings) -> str:
    """A fresh OAuth2 access token printed by ALIWATCH_IMAP_OAUTH2_TOKEN_COMMAND.

    Run again before each login, so the command can refresh an expired token. Raises
    ImapConfigError when the command is not set, fails, times out or prints nothing.
    """
    if settings.imap_oauth2_token_command is None:
        raise ImapConfigError("no OAuth2 token command: set ALIWATCH_IMAP_OAUTH2_TOKEN_COMMAND")
    try:
        return run_command(
            settings.imap_oauth2_token_command,
            "ALIWATCH_IMAP_OAUTH2_TOKEN_COMMAND",
            settings.imap_timeout,
            "IMAP",
        )
    except SecretError as err:
        raise ImapConfigError(str(err)) from None  # the message says it all; no output chained

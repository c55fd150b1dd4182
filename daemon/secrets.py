"""The IMAP password or OAuth2 token, from the settings, a file, a command or systemd credentials.

No function here puts a secret, or a command's output, in an exception message or a log line.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from daemon.imap.errors import ImapConfigError
from daemon.settings import Settings

# systemd's LoadCredential=imap-password:/path puts the file here (systemd.exec(5), "Credentials").
CREDENTIAL_NAME = "imap-password"


def imap_password(settings: Settings) -> str:
    """The password: ALIWATCH_IMAP_PASSWORD, else _FILE, else _COMMAND, else the credential.

    Raises ImapConfigError when no source is set, or the one set cannot be read or is empty.
    """
    if settings.imap_password is not None:
        return _non_empty(settings.imap_password.get_secret_value(), "ALIWATCH_IMAP_PASSWORD")
    if settings.imap_password_file is not None:
        return _read_secret_file(settings.imap_password_file, "ALIWATCH_IMAP_PASSWORD_FILE")
    if settings.imap_password_command is not None:
        return _run(
            settings.imap_password_command, "ALIWATCH_IMAP_PASSWORD_COMMAND", settings.imap_timeout
        )
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials:
        path = Path(credentials) / CREDENTIAL_NAME
        if path.is_file():
            return _read_secret_file(path, f"the systemd credential {CREDENTIAL_NAME}")
    raise ImapConfigError(
        "no IMAP password: set ALIWATCH_IMAP_PASSWORD, ALIWATCH_IMAP_PASSWORD_FILE, "
        f"ALIWATCH_IMAP_PASSWORD_COMMAND or a systemd credential named {CREDENTIAL_NAME}"
    )


def oauth2_token(settings: Settings) -> str:
    """A fresh OAuth2 access token printed by ALIWATCH_IMAP_OAUTH2_TOKEN_COMMAND.

    Run again before each login, so the command can refresh an expired token. Raises
    ImapConfigError when the command is not set, fails, times out or prints nothing.
    """
    if settings.imap_oauth2_token_command is None:
        raise ImapConfigError("no OAuth2 token command: set ALIWATCH_IMAP_OAUTH2_TOKEN_COMMAND")
    return _run(
        settings.imap_oauth2_token_command,
        "ALIWATCH_IMAP_OAUTH2_TOKEN_COMMAND",
        settings.imap_timeout,
    )


def _strip_newline(text: str) -> str:
    """Drop one trailing line ending (what `echo` and editors add), keep every other character."""
    if text.endswith("\r\n"):
        return text[:-2]
    return text.removesuffix("\n")


def _non_empty(secret: str, source: str) -> str:
    if not secret:
        raise ImapConfigError(f"the IMAP secret from {source} is empty")
    return secret


def _read_secret_file(path: Path, source: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ImapConfigError(
            f"cannot read the IMAP secret from {source} ({path}): {err.strerror}"
        ) from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Not chained: the decode error holds the file's bytes.
        raise ImapConfigError(f"the IMAP secret from {source} ({path}) is not UTF-8") from None
    return _non_empty(_strip_newline(text), source)


def _run(command: str, setting: str, timeout: float) -> str:
    """The command's stdout, run without a shell; its output never reaches a message."""
    try:
        argv = shlex.split(command)
    except ValueError as err:
        raise ImapConfigError(f"{setting} is not a valid command line: {err}") from err
    if not argv:
        raise ImapConfigError(f"{setting} is empty")
    program = argv[0]
    try:
        result = subprocess.run(  # noqa: S603 - argv from the user's own settings, no shell
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # Not chained: the timeout error holds what the command printed so far.
        raise ImapConfigError(f"{setting}: {program} did not finish within {timeout:g} s") from None
    except OSError as err:
        raise ImapConfigError(f"{setting}: cannot run {program}: {err.strerror}") from err
    if result.returncode != 0:
        raise ImapConfigError(
            f"{setting}: {program} failed with exit status {result.returncode} "
            "(its output is not shown: it may hold a secret)"
        )
    try:
        output = result.stdout.decode("utf-8")
    except UnicodeDecodeError:
        # Not chained: the decode error holds the output.
        raise ImapConfigError(f"{setting}: {program} printed something not UTF-8") from None
    return _non_empty(_strip_newline(output), setting)

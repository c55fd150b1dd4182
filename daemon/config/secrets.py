"""The IMAP and SMTP passwords, the OAuth2 token: from a setting, a file, a command or a credential.

No function here puts a secret, or a command's output, in an exception message or a log line.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from aliwatch.daemon.config.errors import ConfigError

# systemd's LoadCredential=imap-password:/path puts the file here (systemd.exec(5), "Credentials").
CREDENTIAL_NAME = "imap-password"
SMTP_CREDENTIAL_NAME = "smtp-password"
# Where the system unit's LoadCredential=imap-password:aliwatch.imap-password finds the file:
# read directly when aliwatch runs outside systemd (e.g. `sudo aliwatch check`).
CREDSTORE = Path("/etc/credstore")


class SecretError(ConfigError):
    """A password or token cannot be had: no source set, or the one set failed (never quoted)."""


@dataclass(frozen=True, slots=True)
class PasswordSource:
    """Where one server's password comes from (the settings' view; its repr hides the value)."""

    service: str  # "IMAP" or "SMTP": the settings are ALIWATCH_<service>_PASSWORD and friends
    value: SecretStr | None
    file: Path | None
    command: str | None
    credential: str  # the systemd credential's name
    timeout: float  # seconds the command may take


def password(source: PasswordSource) -> str:
    """ALIWATCH_<SERVICE>_PASSWORD, else _FILE, else _COMMAND, else the systemd credential
    (outside systemd: /etc/credstore/aliwatch.<credential>, when readable).

    Raises SecretError when no source is set, or the one set cannot be read or is empty.
    """
    service, credential = source.service, source.credential
    setting = f"ALIWATCH_{service}_PASSWORD"
    if source.value is not None:
        return _non_empty(source.value.get_secret_value(), setting, service)
    if source.file is not None:
        return _read_secret_file(source.file, f"{setting}_FILE", service)
    if source.command is not None:
        return run_command(source.command, f"{setting}_COMMAND", source.timeout, service)
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials:
        path = Path(credentials) / credential
        try:
            present = path.is_file()
        except OSError as err:  # the directory exists but cannot be read (a unit's sandboxing)
            raise SecretError(
                f"cannot read the systemd credential {credential} ({path}): {err.strerror}"
            ) from err
        if present:
            return _read_secret_file(path, f"the systemd credential {credential}", service)
    else:
        stored = CREDSTORE / f"aliwatch.{credential}"
        if os.access(stored, os.R_OK):
            return _read_secret_file(stored, str(stored), service)
    raise SecretError(
        f"no {service} password: set {setting}, {setting}_FILE, {setting}_COMMAND or a systemd "
        f"credential named {credential}"
    )


def _strip_newline(text: str) -> str:
    """Drop one trailing line ending (what `echo` and editors add), keep every other character."""
    if text.endswith("\r\n"):
        return text[:-2]
    return text.removesuffix("\n")


def _non_empty(secret: str, source: str, service: str) -> str:
    if not secret:
        raise SecretError(f"the {service} secret from {source} is empty")
    return secret


def _read_secret_file(path: Path, source: str, service: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SecretError(
            f"cannot read the {service} secret from {source} ({path}): {err.strerror}"
        ) from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Not chained: the decode error holds the file's bytes.
        raise SecretError(f"the {service} secret from {source} ({path}) is not UTF-8") from None
    return _non_empty(_strip_newline(text), source, service)


def run_command(command: str, setting: str, timeout: float, service: str) -> str:
    """The command's stdout, run without a shell; its output never reaches a message."""
    try:
        argv = shlex.split(command)
    except ValueError as err:
        raise SecretError(f"{setting} is not a valid command line: {err}") from err
    if not argv:
        raise SecretError(f"{setting} is empty")
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
        raise SecretError(f"{setting}: {program} did not finish within {timeout:g} s") from None
    except OSError as err:
        raise SecretError(f"{setting}: cannot run {program}: {err.strerror}") from err
    if result.returncode != 0:
        raise SecretError(
            f"{setting}: {program} failed with exit status {result.returncode} "
            "(its output is not shown: it may hold a secret)"
        )
    try:
        output = result.stdout.decode("utf-8")
    except UnicodeDecodeError:
        # Not chained: the decode error holds the output.
        raise SecretError(f"{setting}: {program} printed something not UTF-8") from None
    return _non_empty(_strip_newline(output), setting, service)

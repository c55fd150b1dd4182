"""The root of every error aliwatch raises on purpose, and the exit status each kind means.

Library errors are wrapped at the boundary into one of these, with the cause kept; the message
is for the user: it names the setting, the host or the path, never a password or a mail.
"""

from __future__ import annotations


class AliwatchError(Exception):
    """Something aliwatch cannot do; the CLI prints the message and exits with status 1."""


class ConfigError(AliwatchError):
    """A setting cannot be used; the message names the variable and the fix. Exit status 2:
    systemd's RestartPreventExitStatus=2 does not restart a service into the same mistake."""


def exit_status(err: AliwatchError) -> int:
    """The exit status an error ends a command with: 2 for configuration, 1 otherwise."""
    return 2 if isinstance(err, ConfigError) else 1

"""Where aliwatch keeps its files when the settings do not say."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from aliwatch.daemon.config.errors import ConfigError

DB_NAME = "aliwatch.db"


def _home() -> Path | None:
    """The user's home, or None when the user has none: a DynamicUser= service sees no $HOME and,
    without nss-systemd, no passwd entry, and Path.home() raises (seen in a real boot)."""
    try:
        return Path.home()
    except RuntimeError:
        return None


def default_db_path(env: Mapping[str, str] | None = None) -> Path:
    """The state database: systemd's StateDirectory, else the XDG state home.

    $STATE_DIRECTORY/aliwatch.db under systemd (its first entry when it lists several), else
    $XDG_STATE_HOME/aliwatch/aliwatch.db, else ~/.local/state/aliwatch/aliwatch.db. A relative
    XDG_STATE_HOME is ignored, as the XDG base directory specification asks.
    """
    env = os.environ if env is None else env
    state_directory = env.get("STATE_DIRECTORY", "").split(":")[0]
    if state_directory:
        return Path(state_directory) / DB_NAME
    xdg = env.get("XDG_STATE_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "aliwatch" / DB_NAME
    home = _home()
    if home is None:
        raise ConfigError(
            "no home directory to keep the database in: set ALIWATCH_DB_PATH "
            "(or StateDirectory= in the unit, which sets $STATE_DIRECTORY)"
        )
    return home / ".local" / "state" / "aliwatch" / DB_NAME


def default_env_file(env: Mapping[str, str] | None = None) -> Path:
    """$XDG_CONFIG_HOME/aliwatch/aliwatch.env (~/.config/... when unset or relative)."""
    env = os.environ if env is None else env
    config = env.get("XDG_CONFIG_HOME", "")
    if config and Path(config).is_absolute():
        return Path(config) / "aliwatch" / "aliwatch.env"
    # No home, no per-user env file: "/" is what nss-systemd reports for a dynamic user.
    return (_home() or Path("/")) / ".config" / "aliwatch" / "aliwatch.env"

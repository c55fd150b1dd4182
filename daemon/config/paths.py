"""Where aliwatch keeps its files when the settings do not say."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DB_NAME = "aliwatch.db"


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
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "state"
    return base / "aliwatch" / DB_NAME


def default_env_file(env: Mapping[str, str] | None = None) -> Path:
    """$XDG_CONFIG_HOME/aliwatch/aliwatch.env (~/.config/... when unset or relative)."""
    env = os.environ if env is None else env
    config = env.get("XDG_CONFIG_HOME", "")
    base = Path(config) if config and Path(config).is_absolute() else Path.home() / ".config"
    return base / "aliwatch" / "aliwatch.env"

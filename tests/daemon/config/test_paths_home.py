"""Without a home directory (a dynamic user, no passwd entry) paths resolve or say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from aliwatch.daemon.config import paths
from aliwatch.daemon.config.errors import ConfigError


def _homeless(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))


def test_no_home_means_no_per_user_env_file_rather_than_a_crash(monkeypatch):
    _homeless(monkeypatch)
    assert paths.default_env_file({}) == Path("/.config/aliwatch/aliwatch.env")


def test_no_home_and_no_state_directory_names_the_setting(monkeypatch):
    _homeless(monkeypatch)
    with pytest.raises(ConfigError, match="ALIWATCH_DB_PATH"):
        paths.default_db_path({})
    assert paths.default_db_path({"STATE_DIRECTORY": "/var/lib/aliwatch"}) == Path(
        "/var/lib/aliwatch/aliwatch.db"
    )

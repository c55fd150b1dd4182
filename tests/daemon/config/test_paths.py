"""Where the database lives: ALIWATCH_DB_PATH, else systemd's or the XDG state directory."""

from __future__ import annotations

from pathlib import Path

from aliwatch.daemon.config.paths import default_db_path
from aliwatch.daemon.config.settings import Settings


def test_systemd_state_directory_comes_first():
    env = {"STATE_DIRECTORY": "/var/lib/aliwatch:/var/lib/other", "XDG_STATE_HOME": "/x"}
    assert default_db_path(env) == Path("/var/lib/aliwatch/aliwatch.db")


def test_xdg_state_home_is_used_outside_systemd():
    assert default_db_path({"XDG_STATE_HOME": "/home/u/st"}) == Path(
        "/home/u/st/aliwatch/aliwatch.db"
    )


def test_without_either_the_database_is_under_local_state(monkeypatch):
    monkeypatch.setenv("HOME", "/home/u")
    assert default_db_path({"XDG_STATE_HOME": "relative/ignored"}) == Path(
        "/home/u/.local/state/aliwatch/aliwatch.db"
    )


def test_the_setting_is_read_from_aliwatch_db_path(monkeypatch):
    monkeypatch.setenv("HOME", "/home/u")
    monkeypatch.setenv("ALIWATCH_DB_PATH", "~/mail/state.db")
    assert Settings().db_path == Path("/home/u/mail/state.db")


def test_the_setting_defaults_to_none(monkeypatch):
    monkeypatch.delenv("ALIWATCH_DB_PATH", raising=False)
    assert Settings().db_path is None

"""Settings read from ALIWATCH_* variables, with errors that name the variable."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from aliwatch.daemon.config.durations import parse_duration, parse_durations
from aliwatch.daemon.config.settings import Settings

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))


def test_defaults_match_the_policy_defaults():
    policy = Settings().policy()
    assert (policy.protection_days, policy.dispute_window_days, policy.cancel_decision_days) == (
        90,
        15,
        9,
    )
    assert policy.remind_before == (
        timedelta(days=7),
        timedelta(days=3),
        timedelta(days=1),
        timedelta(hours=6),
    )


def test_remind_before_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ALIWATCH_REMIND_BEFORE", "6h, 2d,2d")
    assert Settings().remind_before == (timedelta(days=2), timedelta(hours=6))


def test_out_of_range_days_are_refused(monkeypatch):
    monkeypatch.setenv("ALIWATCH_PROTECTION_DAYS", "0")
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7d", timedelta(days=7)), ("1d12h", timedelta(hours=36)), ("30m", timedelta(minutes=30))],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "7 days", "-1d", "0h"])
def test_bad_durations_say_what_is_expected(text):
    with pytest.raises(ValueError, match=r"duration|zero"):
        parse_durations(text) if text == "" else parse_duration(text)


def test_bad_setting_stops_the_cli_with_the_variables_name_and_no_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "ALIWATCH_REMIND_BEFORE": "soon"}
    result = subprocess.run(
        [ALIWATCH, "parse", "-"], input=b"", capture_output=True, env=env, check=False
    )
    assert result.returncode == 2
    assert b"ALIWATCH_REMIND_BEFORE" in result.stderr
    assert b"Traceback" not in result.stderr

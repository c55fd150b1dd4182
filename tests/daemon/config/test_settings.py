"""Settings read from ALIWATCH_* variables, with errors that name the variable."""

from __future__ import annotations

import subprocess
import sys
from datetime import time, timedelta
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


def test_quiet_hours_and_digest_time_are_read_into_times(monkeypatch):
    monkeypatch.setenv("ALIWATCH_QUIET_HOURS", " 22:00-8:05 ")
    monkeypatch.setenv("ALIWATCH_DIGEST_AT", "08:00")
    settings = Settings()
    assert settings.quiet_hours == (time(22, 0), time(8, 5))
    assert settings.digest_at == time(8, 0)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("QUIET_HOURS", "22:00", "'22:00' is not a span like 22:00-08:00"),
        ("QUIET_HOURS", " 22h-08h ", "'22h' is not a time of day like 08:00"),
        ("QUIET_HOURS", "22:00-25:00", "'25:00' is not a time of day like 08:00"),
        ("DIGEST_AT", " 08:00:00 ", "'08:00:00' is not a time of day like 08:00"),
        ("DIGEST_AT", "8:", "'8:' is not a time of day like 08:00"),
    ],
)
def test_a_bad_time_setting_says_the_form_expected(monkeypatch, name, text, message):
    monkeypatch.setenv(f"ALIWATCH_{name}", text)
    with pytest.raises(ValidationError) as caught:
        Settings()
    [problem] = caught.value.errors()
    assert problem["loc"] == (name.lower(),)
    assert problem["msg"] == f"Value error, {message}"


@pytest.mark.parametrize(
    "name",
    [
        "IMAP_HOST",
        "IMAP_PORT",
        "IMAP_USER",
        "IMAP_CA_FILE",
        "IMAP_PASSWORD_FILE",
        "IMAP_PASSWORD_COMMAND",
        "IMAP_OAUTH2_TOKEN_COMMAND",
        "SMTP_HOST",
        "SMTP_USER",
        "SMTP_CA_FILE",
        "SMTP_PASSWORD_FILE",
        "SMTP_PASSWORD_COMMAND",
        "ALERT_EMAIL_TO",
        "ALERT_EMAIL_FROM",
        "DB_PATH",
        "QUIET_HOURS",
        "DIGEST_AT",
    ],
)
def test_a_blank_value_leaves_the_setting_unset(monkeypatch, name):
    monkeypatch.setenv(f"ALIWATCH_{name}", "  ")
    assert getattr(Settings(), name.lower()) is None


def test_paths_are_stripped_and_expand_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ALIWATCH_SMTP_CA_FILE", " ~/ca.pem ")
    monkeypatch.setenv("ALIWATCH_DB_PATH", "~/state.db")
    settings = Settings()
    assert (settings.smtp_ca_file, settings.db_path) == (tmp_path / "ca.pem", tmp_path / "state.db")


def test_security_and_desktop_words_are_read_in_any_case(monkeypatch):
    monkeypatch.setenv("ALIWATCH_IMAP_SECURITY", " StartTLS ")
    monkeypatch.setenv("ALIWATCH_SMTP_SECURITY", "SSL")
    monkeypatch.setenv("ALIWATCH_DESKTOP_NOTIFY", "Off")
    settings = Settings()
    assert (settings.imap_security, settings.smtp_security, settings.desktop_notify) == (
        "starttls",
        "ssl",
        "off",
    )


def test_the_imap_view_holds_what_the_imap_source_reads(tmp_path):
    settings = Settings(
        imap_host="imap.example.org",
        imap_user="me",
        imap_security="starttls",
        imap_password_file=tmp_path / "pw",
        imap_timeout=12,
        imap_folders="INBOX, Orders",
        backfill_days=30,
    )
    imap = settings.imap()
    server = imap.server
    assert (server.host, server.port, server.security, server.user) == (
        "imap.example.org",
        143,
        "starttls",
        "me",
    )
    assert (server.timeout, server.password.timeout) == (12, 12)
    assert (server.password.service, server.password.file) == ("IMAP", tmp_path / "pw")
    assert server.password.credential == "imap-password"
    assert (imap.folders, imap.backfill_days, imap.account) == (
        ("INBOX", "Orders"),
        30,
        "me@imap.example.org",
    )


def test_the_smtp_view_holds_what_the_email_channel_reads():
    settings = Settings(
        smtp_host="smtp.example.org",
        smtp_security="ssl",
        smtp_user="me@example.org",
        smtp_password_command="pass show smtp",  # noqa: S106 - a command line, not a password
        alert_email_to="buyer@example.net",
        alert_email_from="aliwatch@example.org",
    )
    smtp = settings.smtp()
    assert (smtp.server.host, smtp.server.port, smtp.server.user) == (
        "smtp.example.org",
        465,
        "me@example.org",
    )
    assert (smtp.server.password.service, smtp.server.password.command) == (
        "SMTP",
        "pass show smtp",
    )
    assert smtp.server.password.credential == "smtp-password"
    assert (smtp.to, smtp.sender) == ("buyer@example.net", "aliwatch@example.org")


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("22-8", (time(22), time(8))),
        ("22:00-8:00", (time(22), time(8))),
        ("0-6:30", (time(0), time(6, 30))),
    ],
)
def test_quiet_hours_take_the_short_forms_people_type(monkeypatch, text, span):
    monkeypatch.setenv("ALIWATCH_QUIET_HOURS", text)
    assert Settings().quiet_hours == span


def test_quiet_hours_that_start_when_they_end_are_refused_with_the_reason(monkeypatch):
    monkeypatch.setenv("ALIWATCH_QUIET_HOURS", "08:00-08:00")
    with pytest.raises(ValidationError, match="starts and ends at the same time"):
        Settings()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *((word, "on") for word in ("1", "yes", "YES", "true", "True", "on", " On ")),
        *((word, "off") for word in ("0", "no", "No", "false", "FALSE", "off")),
        ("Auto", "auto"),
    ],
)
def test_desktop_notify_takes_systemds_boolean_words_and_auto(monkeypatch, text, expected):
    monkeypatch.setenv("ALIWATCH_DESKTOP_NOTIFY", text)
    assert Settings().desktop_notify == expected


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("utc", "UTC"),
        ("UTC", "UTC"),
        ("europe/berlin", "Europe/Berlin"),
        (" Europe/Berlin ", "Europe/Berlin"),
    ],
)
def test_time_zones_are_read_in_any_case(monkeypatch, text, zone):
    monkeypatch.setenv("ALIWATCH_TIMEZONE", text)
    assert Settings().timezone == zone

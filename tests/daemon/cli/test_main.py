"""The `aliwatch` command line as a user meets it: version, options, help, settings refused."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
COMMANDS = [
    *("parse", "import", "status", "timeline", "calendar", "ack", "unack", "snooze"),
    *("unsnooze", "watch", "unwatch", "alerts", "unknown", "anonymize", "run", "check", "init"),
]


def aliwatch(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    return subprocess.run(
        [ALIWATCH, *args], env=base | env, capture_output=True, text=True, check=False, timeout=60
    )


def env_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "aliwatch.env"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_version_comes_from_the_installed_distribution(tmp_path):
    result = aliwatch(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"aliwatch {version('aliwatch')}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_commands_help_says_what_it_does(tmp_path, command):
    result = aliwatch(tmp_path, command, "--help")
    assert result.returncode == 0
    usage, description = result.stdout.split("\n\n")[:2]
    assert usage.startswith(f"usage: aliwatch {command}")
    assert description[0].isupper() and not description.startswith(("positional", "options"))
    assert "--env-file FILE" in result.stdout


def test_env_file_is_taken_before_or_after_the_command(tmp_path):
    db = tmp_path / "state.db"
    path = env_file(tmp_path, f"ALIWATCH_DB_PATH={db}\n")
    for args in (("--env-file", str(path), "check"), ("check", "--env-file", str(path))):
        result = aliwatch(tmp_path, *args)
        assert f"daemon: not running on {db}" in result.stdout.splitlines(), args


def test_env_file_after_the_command_does_not_undo_one_before(tmp_path):
    missing = tmp_path / "missing.env"
    result = aliwatch(tmp_path, "--env-file", str(missing), "status")
    assert result.returncode == 2
    assert f"--env-file {missing}: no such file" in result.stderr


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("ALIWATCH_IMAP_HSOT", "ALIWATCH_IMAP_HOST"), ("ALIWATCH_QUIETHOURS", "ALIWATCH_QUIET_HOURS")],
)
def test_a_misspelt_setting_in_the_environment_stops_run_naming_it(tmp_path, name, suggestion):
    result = aliwatch(tmp_path, "run", "--once", **{name: "x", "ALIWATCH_MAILDIR": str(tmp_path)})
    assert result.returncode == 2
    assert f"{name} (in the environment) is not a setting; did you mean {suggestion}?" in (
        result.stderr
    )


def test_a_misspelt_setting_in_the_env_file_stops_every_command(tmp_path):
    path = env_file(tmp_path, "ALIWATCH_QUIETHOURS=22:00-08:00\n")
    for command in ("status", "run", "alerts"):
        result = aliwatch(tmp_path, "--env-file", str(path), command)
        assert result.returncode == 2, command
        assert f"ALIWATCH_QUIETHOURS (in {path}) is not a setting; did you mean " in result.stderr


def test_an_export_line_systemd_would_drop_stops_aliwatch(tmp_path):
    path = env_file(tmp_path, f"export ALIWATCH_DB_PATH={tmp_path / 'x.db'}\n")
    result = aliwatch(tmp_path, "--env-file", str(path), "status")
    assert result.returncode == 2
    assert "line 1: systemd ignores export ALIWATCH_DB_PATH=..." in result.stderr


def test_the_test_suites_own_variables_are_no_unknown_settings(tmp_path):
    result = aliwatch(tmp_path, "check", ALIWATCH_FUZZ_SEED="3", ALIWATCH_MAILDIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "settings: ok" in result.stdout.splitlines()


def test_a_comment_after_a_value_is_part_of_it_as_for_systemd(tmp_path):
    path = env_file(tmp_path, "ALIWATCH_QUIET_HOURS=22:00-08:00   # at night\n")
    result = aliwatch(tmp_path, "--env-file", str(path), "status")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "aliwatch: ALIWATCH_QUIET_HOURS: '08:00   # at night' is not a time of day like 08:00 "
        "(e.g. ALIWATCH_QUIET_HOURS=22:00-08:00)"
    )
    assert lines[1].startswith(
        f"aliwatch: {path}: line 1: ALIWATCH_QUIET_HOURS: systemd reads '22:00-08:00   # at night'"
    )


def test_the_environment_wins_over_the_env_file(tmp_path):
    path = env_file(tmp_path, f"ALIWATCH_DB_PATH={tmp_path / 'file.db'}\n")
    db = tmp_path / "env.db"
    result = aliwatch(tmp_path, "--env-file", str(path), "check", ALIWATCH_DB_PATH=str(db))
    assert f"daemon: not running on {db}" in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ALIWATCH_POLL_SECONDS", "soon", "Input should be a valid number"),
        ("ALIWATCH_QUIET_HOURS", "08:00-08:00", "'08:00-08:00' starts and ends at the same time"),
        ("ALIWATCH_DESKTOP_NOTIFY", "maybe", "'maybe' is not auto, on or off"),
        ("ALIWATCH_TIMEZONE", "mars/olympus", "'mars/olympus' is not a time zone name"),
    ],
)
def test_a_wrong_value_is_one_plain_line_naming_the_variable_and_an_example(
    tmp_path, name, value, message
):
    result = aliwatch(tmp_path, "status", **{name: value})
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"aliwatch: {name}: {message}")
    assert f"(e.g. {name}=" in line
    assert "Value error" not in line and "errors.pydantic.dev" not in result.stderr


def _bash_completes(script: Path, *words: str) -> list[str]:
    """What bash offers for the last of `words` after sourcing `script` (aliwatch's function)."""
    cword = len(words) - 1
    line = f"""source {script}; COMP_WORDS=({" ".join(f"'{w}'" for w in words)}); COMP_CWORD={cword}
_shtab_aliwatch aliwatch '{words[-1]}' '{words[-2]}'; printf '%s\\n' "${{COMPREPLY[@]}}" """
    done = subprocess.run(
        ["bash", "-c", line], capture_output=True, text=True, check=False, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_completion_scripts_come_from_the_commands_and_complete_them(tmp_path):
    bash = aliwatch(tmp_path, "completion", "bash")
    assert bash.returncode == 0, bash.stderr
    script = tmp_path / "aliwatch.bash"
    script.write_text(bash.stdout)
    assert _bash_completes(script, "aliwatch", "sta") == ["status"]
    assert _bash_completes(script, "aliwatch", "completion", "") == ["bash", "zsh"]
    assert "unsnooze" in _bash_completes(script, "aliwatch", "")
    zsh = aliwatch(tmp_path, "completion", "zsh")
    assert zsh.returncode == 0
    assert zsh.stdout.startswith("#compdef aliwatch")
    assert "unsnooze" in zsh.stdout and "--env-file" in zsh.stdout

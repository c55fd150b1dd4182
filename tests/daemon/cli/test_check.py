"""`aliwatch check` on the settings themselves: unknown names, the env file's dialect, nothing
to watch; each a failed line, as `run` would refuse to start."""

from __future__ import annotations

from pathlib import Path

from tests.daemon.cli.test_main import aliwatch, env_file


def test_a_misspelt_name_is_a_failed_line_and_the_other_checks_still_run(tmp_path):
    path = env_file(tmp_path, f"ALIWATCH_MAILDIR={tmp_path}\nALIWATCH_IMAP_HSOT=imap\n")
    result = aliwatch(tmp_path, "--env-file", str(path), "check")
    lines = result.stdout.splitlines()
    assert result.returncode == 1
    assert (
        f"settings: FAILED: ALIWATCH_IMAP_HSOT (in {path}) is not a setting; "
        "did you mean ALIWATCH_IMAP_HOST?"
    ) in lines
    assert "settings: ok" not in result.stdout
    assert any(line.startswith("daemon: not running") for line in lines)


def test_a_comment_systemd_keeps_in_the_value_fails_check_as_it_fails_the_service(tmp_path):
    path = env_file(
        tmp_path, f"ALIWATCH_MAILDIR={tmp_path}\nALIWATCH_QUIET_HOURS=22:00-08:00   # at night\n"
    )
    result = aliwatch(tmp_path, "--env-file", str(path), "check")
    run = aliwatch(tmp_path, "--env-file", str(path), "run", "--once")
    assert (result.returncode, run.returncode) == (2, 2)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("settings: FAILED: ALIWATCH_QUIET_HOURS: '08:00   # at night'")
    assert lines[1].startswith(
        "env file: FAILED: line 2: ALIWATCH_QUIET_HOURS: systemd reads '22:00-08:00   # at night'"
        ", dotenv readers '22:00-08:00'"
    )


def test_a_line_dotenv_reads_otherwise_fails_even_when_its_value_is_valid(tmp_path):
    folders = "ALIWATCH_IMAP_FOLDERS=INBOX # and more later\n"
    path = env_file(tmp_path, f"ALIWATCH_MAILDIR={tmp_path}\n{folders}")
    result = aliwatch(tmp_path, "--env-file", str(path), "check")
    assert result.returncode == 1
    assert any(
        line.startswith("env file: FAILED: line 2: ALIWATCH_IMAP_FOLDERS: systemd reads")
        for line in result.stdout.splitlines()
    )


def test_nothing_to_watch_is_a_failure_as_for_run(tmp_path):
    result = aliwatch(tmp_path, "check")
    run = aliwatch(tmp_path, "run", "--once")
    assert result.returncode == 1 and run.returncode == 2
    assert (
        "watch: FAILED: nothing to watch: set ALIWATCH_IMAP_HOST (and friends) or ALIWATCH_MAILDIR"
        in result.stdout
    )


def test_a_clean_env_file_passes(tmp_path: Path):
    path = env_file(
        tmp_path, f"# mine\nALIWATCH_MAILDIR='{tmp_path}'\nALIWATCH_DESKTOP_NOTIFY=no\n"
    )
    result = aliwatch(tmp_path, "--env-file", str(path), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"settings: ok (from {path})" in result.stdout.splitlines()
    assert "FAILED" not in result.stdout and "desktop" not in result.stdout


def test_a_damaged_database_is_a_failed_line_with_the_way_to_recover(tmp_path):
    db = tmp_path / "aliwatch.db"
    env = {"ALIWATCH_MAILDIR": str(tmp_path), "ALIWATCH_DB_PATH": str(db)}
    first = aliwatch(tmp_path, "check", **env)
    assert f"database: none yet at {db}; run creates it" in first.stdout.splitlines()
    assert aliwatch(tmp_path, "run", "--once", **env).returncode == 0
    assert f"database: {db} is intact" in aliwatch(tmp_path, "check", **env).stdout.splitlines()
    db.write_bytes(db.read_bytes()[:4096])  # the first page only: a truncated file
    damaged = aliwatch(tmp_path, "check", **env)
    assert damaged.returncode == 1
    (line,) = [line for line in damaged.stdout.splitlines() if line.startswith("database:")]
    assert line.startswith("database: FAILED:") and str(db) in line
    assert "move" in line and "start" in line  # the recovery steps
    assert db.stat().st_size == 4096  # read-only: check changed nothing

"""Running as a service: `check` against the real servers, and no secret in logs or cmdlines."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_run_imap import ALIWATCH, MAILBOX, PROPOSAL_MAIL, env_for
from tests.support import read_lines, wait_until

pytestmark = pytest.mark.real_server


def _write_env_file(path: Path, values: dict[str, str], mode: int = 0o600) -> Path:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items() if k.startswith("ALIWATCH_")))
    path.chmod(mode)
    return path


def _check(tmp_path: Path, env_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALIWATCH, "--env-file", str(env_file), "check", *extra],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_check_logs_in_counts_aliexpress_mail_and_checks_smtp(dovecot, smtp_server, tmp_path):
    dovecot.recreate_folder("checked")
    for path in sorted(p for p in MAILBOX.rglob("*") if p.is_file() and p.name != ".gitkeep"):
        dovecot.append("checked", path.read_bytes())
    values = env_for(dovecot, tmp_path, "checked") | smtp_server.env()
    env_file = _write_env_file(tmp_path / "aliwatch.env", values)
    result = _check(tmp_path, env_file)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"settings: ok (from {env_file})" in lines
    assert any(line.startswith("imap: logged in to 127.0.0.1") for line in lines)
    assert "imap checked: 22 mails, 22 from AliExpress" in lines
    assert any(line.startswith("email: SMTP login ok") for line in lines)
    assert "WARNING" not in result.stdout


def test_check_warns_about_an_env_file_others_can_read(dovecot, tmp_path):
    values = env_for(dovecot, tmp_path, "INBOX")
    env_file = _write_env_file(tmp_path / "aliwatch.env", values, mode=0o644)
    result = _check(tmp_path, env_file)
    assert f"env file: WARNING: {env_file} is readable by group or others" in result.stdout
    assert result.returncode == 0  # a warning, not a failure


def test_check_fails_with_a_line_per_broken_check(dovecot, smtp_server, tmp_path):
    values = env_for(dovecot, tmp_path, "INBOX") | smtp_server.env()
    wrong = "wrong-" + smtp_server.env()["ALIWATCH_SMTP_PASSWORD"]
    values["ALIWATCH_SMTP_PASSWORD"] = wrong
    env_file = _write_env_file(tmp_path / "aliwatch.env", values)
    result = _check(tmp_path, env_file)
    assert result.returncode == 1
    assert "email: FAILED: 127.0.0.1" in result.stdout and "refused the login" in result.stdout
    assert any(line.startswith("imap: logged in") for line in result.stdout.splitlines())
    assert wrong not in result.stdout + result.stderr


def _cmdlines(pid: int) -> list[str]:
    """The command lines of `pid` and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            found.append(
                Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def test_the_password_is_in_no_log_line_and_no_command_line(dovecot, smtp_server, tmp_path):
    dovecot.recreate_folder("secret")
    dovecot.append("secret", PROPOSAL_MAIL.read_bytes())
    password_file = tmp_path / "imap-password"
    password_file.write_text(dovecot.password + "\n")
    password_file.chmod(0o600)
    env = env_for(dovecot, tmp_path, "secret") | smtp_server.env()
    del env["ALIWATCH_IMAP_PASSWORD"]
    # A password command: the one place a child process runs while the daemon holds secrets.
    env["ALIWATCH_IMAP_PASSWORD_COMMAND"] = f"sh -c 'sleep 0.3; cat {password_file}'"
    env["ALIWATCH_POLL_SECONDS"] = "5"
    process = subprocess.Popen(
        [ALIWATCH, "run", "--now", "2026-11-26T12:00:00Z"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    output = read_lines(process.stdout, process.stderr)
    seen: list[str] = []

    def mailed_else_look() -> bool:
        """Whether the alert went out; until it has, note the command lines running now."""
        if smtp_server.messages:
            return True
        seen.extend(_cmdlines(process.pid))
        return False

    try:
        wait_until(mailed_else_look, 20)
        assert smtp_server.recorder.wait_for(1, 10)  # it did log in and alert
    finally:
        process.terminate()
        process.wait(timeout=10)
    wait_until(output.ended, 5)
    assert any("sleep 0.3" in line for line in seen)  # the command's process was looked at
    secrets = (dovecot.password, smtp_server.env()["ALIWATCH_SMTP_PASSWORD"])
    for secret in secrets:
        assert not any(secret in line for line in output)
        assert not any(secret in line for line in seen)
    assert any('"event": "sync_done"' in line for line in output)  # the log was there to read


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({}, "ALIWATCH_IMAP_HOST"),
        ({"ALIWATCH_IMAP_HOST": "imap.example.org"}, "ALIWATCH_IMAP_USER"),
        ({"ALIWATCH_IMAP_HOST": "imap.example.org", "ALIWATCH_IMAP_USER": "u"}, "PASSWORD"),
        ({"ALIWATCH_MAILDIR": "/nonexistent/mail"}, "ALIWATCH_MAILDIR"),
        ({"ALIWATCH_MAILDIR": "/tmp", "ALIWATCH_SMTP_HOST": "smtp.example.org"}, "ALERT_EMAIL_TO"),
    ],
)
def test_run_stops_at_start_with_status_2_naming_what_is_missing(tmp_path, settings, named):
    result = subprocess.run(
        [ALIWATCH, "run"], env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)} | settings,
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert named in result.stderr and "Traceback" not in result.stderr


def test_check_says_why_the_mailbox_cannot_be_reached_as_run_logs_it(dovecot, tmp_path):
    # The same sentence `run` ends with (tests/e2e/test_run_imap.py): here, plain IMAP asked of
    # the implicit-TLS port, said within seconds instead of after ALIWATCH_IMAP_TIMEOUT.
    values = env_for(dovecot, tmp_path, "INBOX") | {
        "ALIWATCH_IMAP_SECURITY": "starttls",
        "ALIWATCH_IMAP_TIMEOUT": "60",
    }
    result = _check(tmp_path, _write_env_file(tmp_path / "aliwatch.env", values))
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("imap: FAILED: ")]
    assert failed, result.stdout
    assert f"port {dovecot.imaps_port} of {dovecot.host} speaks TLS" in failed[0]
    assert "ALIWATCH_IMAP_SECURITY=ssl" in failed[0]

"""`aliwatch init`: a commented env file with every setting, private, never overwritten unasked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from aliwatch.daemon.cli.init import _next_steps
from aliwatch.daemon.config.env_template import SETTINGS, render
from aliwatch.daemon.config.envfile import differences
from aliwatch.daemon.config.settings import Settings
from tests.support import REPO

ROOT = REPO
ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
TEMPLATE_NAMES = {name for name, _, _ in SETTINGS if not name.startswith("## ")}


def init(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
    }
    return subprocess.run(
        [ALIWATCH, "init", *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def test_init_writes_the_user_env_file_readable_by_its_owner_only(tmp_path):
    os.umask(0o022)
    result = init(tmp_path)
    target = tmp_path / "cfg" / "aliwatch" / "aliwatch.env"
    assert result.returncode == 0, result.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text() == render()
    assert "systemctl --user enable --now aliwatch" in result.stdout
    assert "  aliwatch check --send-test-alert" in result.stdout.splitlines()


def test_init_at_a_path_prints_check_with_that_env_file(tmp_path):
    target = tmp_path / "mine.env"
    result = init(tmp_path, str(target))
    assert result.returncode == 0, result.stderr
    assert f"  aliwatch --env-file {target} check --send-test-alert" in result.stdout.splitlines()


def test_init_for_an_instance_prints_the_template_instances_steps():
    steps = _next_steps("system", Path("/etc/aliwatch/alex.env"))
    assert "sudo systemctl daemon-reload && sudo systemctl enable --now aliwatch@alex" in steps
    assert any("/etc/credstore/aliwatch-alex.imap-password" in step for step in steps)
    assert any(
        s.startswith("sudo cp ") and s.endswith("/aliwatch@.service /etc/systemd/system/")
        for s in steps
    )
    assert any("--env-file /etc/aliwatch/alex.env check" in step for step in steps)
    assert "journalctl -u aliwatch@alex -f  # what it does" in steps
    assert not any(step.endswith("enable --now aliwatch") for step in steps)


def test_init_for_the_system_file_prints_the_single_services_steps():
    steps = _next_steps("system", Path("/etc/aliwatch/aliwatch.env"))
    assert "sudo systemctl daemon-reload && sudo systemctl enable --now aliwatch" in steps


def test_init_refuses_to_overwrite_without_force(tmp_path):
    init(tmp_path)
    target = tmp_path / "cfg" / "aliwatch" / "aliwatch.env"
    target.write_text("ALIWATCH_IMAP_HOST=mine\n")
    again = init(tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    assert target.read_text() == "ALIWATCH_IMAP_HOST=mine\n"


def test_force_overwrites_and_makes_a_wide_file_private(tmp_path):
    target = tmp_path / "custom.env"
    target.write_text("old\n")
    target.chmod(0o644)
    result = init(tmp_path, "--system", "--force", str(target))
    assert result.returncode == 0, result.stderr
    assert target.stat().st_mode & 0o777 == 0o600 and target.read_text() == render()
    assert "sudo systemctl daemon-reload && sudo systemctl enable --now aliwatch" in result.stdout


def test_the_template_lists_exactly_the_settings_there_are():
    fields = {name.upper() for name in Settings.model_fields}
    assert fields == TEMPLATE_NAMES


def test_readme_documents_every_setting_with_its_default():
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"(?m)^\| `(ALIWATCH_[A-Z0-9_]+)`[^|]*\| ([^|]+) \|", readme)
    documented = {name.removeprefix("ALIWATCH_") for name, _ in rows}
    # Password rows name _FILE and _COMMAND on the same line as the variable.
    documented |= {f"{p}_PASSWORD_{s}" for p in ("IMAP", "SMTP") for s in ("FILE", "COMMAND")}
    assert documented >= TEMPLATE_NAMES
    assert all(default.strip() for _, default in rows)


def test_the_written_file_loads_as_the_defaults(tmp_path):
    env_file = tmp_path / "aliwatch.env"
    env_file.write_text(render())
    loaded = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert loaded == Settings(_env_file=None)  # type: ignore[call-arg]


def test_systemd_and_dotenv_readers_read_the_template_alike():
    assert differences(render()) == []


def test_every_line_is_a_comment_or_a_plain_assignment_systemd_can_read():
    for line in render().splitlines():
        assert (
            not line or line.startswith("#") or re.fullmatch(r"ALIWATCH_[A-Z0-9_]+=[^\s'\"]*", line)
        )

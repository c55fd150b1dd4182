"""The units in systemd/: they verify, keep what the daemon needs, and are hardened (<= 1.5)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import missing_server
from tests.support import REPO

UNITS = REPO / "systemd"
ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
SYSTEM = {"aliwatch.service": "aliwatch.service", "aliwatch@.service": "aliwatch@alex.service"}


@pytest.fixture(scope="module")
def analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        missing_server("systemd-analyze not installed (apt-get install systemd)")
    return found  # type: ignore[return-value]


def _runnable_copy(unit: Path, target: Path) -> Path:
    """The unit with ExecStart's program pointed at this checkout's aliwatch: `verify` checks
    the program exists, and /usr/local/bin/aliwatch (where pipx puts it) may not, here."""
    text = re.sub(r"(?m)^ExecStart=\S+", f"ExecStart={ALIWATCH}", unit.read_text())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def _directives(unit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.mark.parametrize("name", sorted(SYSTEM))
def test_a_system_unit_verifies(analyze, tmp_path, name):
    unit = _runnable_copy(UNITS / name, tmp_path / SYSTEM[name])
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_the_user_unit_verifies(analyze, tmp_path):
    unit = _runnable_copy(
        UNITS / "user" / "aliwatch.service", tmp_path / "user" / "aliwatch.service"
    )
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    result = subprocess.run(
        [analyze, "--user", "verify", str(unit)],
        env={"XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", sorted(SYSTEM))
def test_a_system_unit_is_exposed_at_most_1_5(analyze, name):
    result = subprocess.run(
        [analyze, "security", "--offline=true", str(UNITS / name)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    score = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert score is not None, result.stdout + result.stderr
    assert float(score.group(1)) <= 1.5


@pytest.mark.parametrize("name", sorted(SYSTEM))
def test_a_system_unit_keeps_what_the_daemon_needs(name):
    found = _directives(UNITS / name)
    assert found["ExecStart"] == ["/usr/local/bin/aliwatch run"]
    assert found["Type"] == ["notify"] and found["Restart"] == ["on-failure"]
    assert found["DynamicUser"] == ["yes"] and found["WatchdogSec"]
    assert found["StateDirectory"][0].startswith("aliwatch")
    assert found["RestrictAddressFamilies"] == ["AF_INET AF_INET6 AF_UNIX"]
    credentials = {value.split(":", 1)[0] for value in found["LoadCredential"]}
    assert credentials == {"imap-password", "smtp-password"}
    # A dynamic user without nss-systemd has no home: aliwatch must still find one.
    assert found["Environment"] == ["HOME=/"]


def test_the_template_keeps_each_account_apart():
    found = _directives(UNITS / "aliwatch@.service")
    assert found["EnvironmentFile"] == ["/etc/aliwatch/%i.env"]
    assert found["StateDirectory"] == ["aliwatch-%i"]
    assert found["User"] == ["aliwatch-%i"]  # not the "aliwatch" uid of every other instance


def test_the_user_unit_reads_the_users_env_file_and_starts_with_the_session():
    found = _directives(UNITS / "user" / "aliwatch.service")
    assert found["ExecStart"] == ["%h/.local/bin/aliwatch run"]
    assert found["EnvironmentFile"] == ["%h/.config/aliwatch/aliwatch.env"]
    assert found["WantedBy"] == ["default.target"]
    # The daemon and `aliwatch status` in a shell must find the same database: no
    # StateDirectory= (systemd 252 puts a user unit's in ~/.config), the XDG default for both.
    assert "StateDirectory" not in found

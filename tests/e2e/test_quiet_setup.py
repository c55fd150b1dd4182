"""Building and installing aliwatch prints no setuptools warning: `make demo` starts quietly.

setuptools writes its warnings (a deprecated `project.license` table, the note on every editable
install) to the build's stderr, which pip passes on even with --quiet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support import REPO

FOLDERS = ("daemon", "parsers", "rules", "systemd")


def _source_copy(target: Path) -> Path:
    """The sources a build reads, copied: a build leaves build/ and *.egg-info behind."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", "Makefile"):
        shutil.copy2(REPO / name, target / name)
    for folder in FOLDERS:
        shutil.copytree(
            REPO / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return target


def _warnings(output: str) -> list[str]:
    """The lines of a build's output that warn (setuptools' classes end in Warning)."""
    return [line for line in output.splitlines() if "Warning" in line or "deprecat" in line.lower()]


def test_building_the_wheel_prints_no_warning(tmp_path: Path) -> None:
    source = _source_copy(tmp_path / "src")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(source)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    assert _warnings(built.stdout + built.stderr) == []


def test_the_makefiles_install_prints_no_warning(tmp_path: Path) -> None:
    source = _source_copy(tmp_path / "src")
    env = tmp_path / "venv"
    # Run under `make test` (as CI does), a make inherits MAKELEVEL and MAKEFLAGS and would print
    # "make[1]: Entering directory" among the commands: a make of its own, quiet about folders.
    clean = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", f"VENV={env}", f"{env}/.installed"],
        cwd=source, capture_output=True, text=True, check=True, timeout=60, env=clean,
    )  # fmt: skip
    # The Makefile's own commands (a venv, the newest pip, the editable install), without the
    # dependencies: they are not what is built here.
    commands = planned.stdout.replace("-e '.[dev]'", "--no-deps -e .")
    assert commands != planned.stdout, planned.stdout
    done = subprocess.run(
        ["sh", "-e", "-c", commands], cwd=source, capture_output=True, text=True, check=False,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert _warnings(done.stdout + done.stderr) == [], commands

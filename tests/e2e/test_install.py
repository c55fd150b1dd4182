"""The built wheel, installed beside python-daemon in one fresh venv: both import, aliwatch runs.

The repository keeps its folders daemon/, parsers/ and rules/; the wheel installs them as
aliwatch.daemon, aliwatch.parsers and aliwatch.rules, so `import daemon` stays python-daemon's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from tests.support import REPO

FOLDERS = ("daemon", "parsers", "rules")


def _run(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, check=False, timeout=600
    )


def _source_copy(target: Path) -> Path:
    """What the wheel is built from, copied: setuptools leaves build/ in the folder it builds,
    and a module deleted since an earlier build would come back from there."""
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, target / name)
    for folder in (*FOLDERS, "systemd"):
        shutil.copytree(
            REPO / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return target


def test_the_wheel_installs_beside_python_daemon_and_aliwatch_runs(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    source = _source_copy(tmp_path / "src")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path, source,
                 cwd=tmp_path)  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("aliwatch-*.whl")

    names = zipfile.ZipFile(wheel).namelist()
    modules = {n for n in names if n.endswith(".py")}
    expected = {
        f"aliwatch/{p.relative_to(REPO).as_posix()}"
        for folder in FOLDERS
        for p in (REPO / folder).rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert modules == expected, "pyproject's [tool.setuptools] packages list is incomplete"
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert tops == {"aliwatch"}

    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    installed = _run(py, "-m", "pip", "install", "-q", wheel, "python-daemon", cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-2000:]

    # cwd is outside the repository, so nothing can come from its folders.
    probe = "import daemon, aliwatch.daemon.cli; print(daemon.DaemonContext.__name__)"
    both = _run(py, "-c", probe, cwd=tmp_path)
    assert both.returncode == 0, both.stderr
    assert both.stdout.strip() == "DaemonContext"

    helped = _run(env / "bin" / "aliwatch", "--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "usage: aliwatch" in helped.stdout
    assert "run" in helped.stdout

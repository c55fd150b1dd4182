"""`aliwatch init`: write a commented env file (mode 0600) and say what to run next."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal, TextIO

from aliwatch.daemon.cli.commands import CommandError
from aliwatch.daemon.config.env_template import render
from aliwatch.daemon.config.paths import default_env_file

SYSTEM_ENV_FILE = Path("/etc/aliwatch/aliwatch.env")
Scope = Literal["user", "system"]


def units_dir() -> Path | None:
    """Where the systemd units were installed with aliwatch (share/aliwatch/systemd), or the
    source checkout's systemd/ folder; None when neither is there."""
    for candidate in (
        Path(sys.prefix) / "share" / "aliwatch" / "systemd",
        Path(__file__).resolve().parents[2] / "systemd",
    ):
        if (candidate / "aliwatch.service").is_file():
            return candidate
    return None


def init(scope: Scope, path: str | None, *, force: bool, out: TextIO) -> int:
    """Write the env file for `scope` (or at `path`); refuse to overwrite without `force`."""
    target = (
        Path(path).expanduser()
        if path
        else (SYSTEM_ENV_FILE if scope == "system" else default_env_file())
    )
    if target.exists() and not force:
        raise CommandError(f"{target} exists; use --force to overwrite it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if scope == "user" else 0o755)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)  # also when --force rewrote a wider file
            file.write(render())
    except OSError as err:
        hint = " (run it with sudo)" if scope == "system" and err.errno == 13 else ""
        raise CommandError(f"cannot write {target}: {err.strerror}{hint}") from err
    out.write(f"wrote {target} (readable by you only)\n\nNext:\n")
    for step in _next_steps(scope, target):
        out.write(f"  {step}\n")
    return 0


def _next_steps(scope: Scope, env_file: Path) -> list[str]:
    units = units_dir()
    where = str(units) if units else "<the aliwatch source>/systemd"
    if scope == "system":
        return [
            f"sudoedit {env_file}  # the mailbox and the alert email",
            f"sudo aliwatch --env-file {env_file} check --send-test-alert",
            f"sudo cp {where}/aliwatch.service /etc/systemd/system/",
            "sudo systemctl daemon-reload && sudo systemctl enable --now aliwatch",
            "journalctl -u aliwatch -f  # what it does",
        ]
    return [
        f"$EDITOR {env_file}  # the mailbox and the alert email",
        "aliwatch check --send-test-alert",
        "mkdir -p ~/.config/systemd/user",
        f"cp {where}/user/aliwatch.service ~/.config/systemd/user/",
        "systemctl --user daemon-reload && systemctl --user enable --now aliwatch",
        "loginctl enable-linger $USER  # optional: keep it running while you are logged out",
    ]

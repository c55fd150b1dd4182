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
        instance = _instance(env_file)
        if instance is not None:
            return _instance_steps(instance, env_file, where)
        steps = [
            f"sudoedit {env_file}  # the mailbox and the alert email",
            f"sudo aliwatch --env-file {env_file} check --send-test-alert",
            f"sudo cp {where}/aliwatch.service /etc/systemd/system/",
            "sudo systemctl daemon-reload && sudo systemctl enable --now aliwatch",
            "journalctl -u aliwatch -f  # what it does",
        ]
        if env_file != SYSTEM_ENV_FILE:
            steps.insert(2, f"# the unit reads {SYSTEM_ENV_FILE}: put the file there")
        return steps
    default = env_file == default_env_file()
    steps = [
        f"$EDITOR {env_file}  # the mailbox and the alert email",
        "aliwatch check --send-test-alert"
        if default
        else f"aliwatch --env-file {env_file} check --send-test-alert",
        "mkdir -p ~/.config/systemd/user",
        f"cp {where}/user/aliwatch.service ~/.config/systemd/user/",
        "systemctl --user daemon-reload && systemctl --user enable --now aliwatch",
        "loginctl enable-linger $USER  # optional: keep it running while you are logged out",
    ]
    if not default:
        steps.insert(2, f"# the unit reads {default_env_file()}: put the file there")
    return steps


def _instance(env_file: Path) -> str | None:
    """The aliwatch@.service instance whose EnvironmentFile=/etc/aliwatch/%i.env this is
    (alex for /etc/aliwatch/alex.env); None for aliwatch.service's own file or another path."""
    if env_file.parent != SYSTEM_ENV_FILE.parent or env_file.suffix != ".env":
        return None
    name = env_file.stem
    # systemd.unit(5): an instance name is ASCII letters, digits, ":", "-", "_", "." and "\\".
    valid = name and all(c.isascii() and (c.isalnum() or c in ":-_.\\") for c in name)
    return name if valid and env_file != SYSTEM_ENV_FILE else None


def _instance_steps(name: str, env_file: Path, where: str) -> list[str]:
    """The steps for aliwatch@NAME: its unit, its credentials (/etc/credstore/aliwatch-NAME.*,
    as aliwatch@.service's LoadCredential= names them), its journal."""
    password = f"/etc/credstore/aliwatch-{name}.imap-password"
    return [
        f"sudoedit {env_file}  # the mailbox and the alert email",
        "sudo install -d -m 0700 /etc/credstore",
        f"sudo sh -c 'umask 077; cat > {password}'  # the IMAP password, then Ctrl-D",
        f"# (the SMTP password, if any: /etc/credstore/aliwatch-{name}.smtp-password)",
        f"sudo ALIWATCH_IMAP_PASSWORD_FILE={password} aliwatch --env-file {env_file} "
        "check --send-test-alert",
        f"sudo cp {where}/aliwatch@.service /etc/systemd/system/",
        f"sudo systemctl daemon-reload && sudo systemctl enable --now aliwatch@{name}",
        f"journalctl -u aliwatch@{name} -f  # what it does",
    ]

"""dunst, a real notification server (Debian's package), under Xvfb on a private session bus."""

from __future__ import annotations

import json
import os
import select
import shlex
import shutil
import subprocess
from pathlib import Path

from tests.servers.dbus import DBUS_DAEMON, SessionBus
from tests.support import wait_until

XVFB = shutil.which("Xvfb") or "/usr/bin/Xvfb"
DUNST = shutil.which("dunst") or "/usr/bin/dunst"
DUNSTCTL = shutil.which("dunstctl") or "/usr/bin/dunstctl"
START_SECONDS = 20.0
# dunst(5). Nothing expires while a test looks. With `marks`, each urgency's format (what dunst
# draws, and `dunstctl history` gives back as "message") begins with the urgency dunst saw:
# Debian's dunst 1.9 lists neither urgency nor actions in its history.
_CONFIG = """\
[global]
    font = DejaVu Sans 10
    width = 460
    origin = top-right
    offset = 16x16
    padding = 10
    horizontal_padding = 12
    frame_width = 2
    markup = full
    idle_threshold = 0
    dmenu = {menu}
    browser = {true}
[urgency_low]
    timeout = 0
    format = "{low}<b>%s</b>\\n%b"
[urgency_normal]
    timeout = 0
    format = "{normal}<b>%s</b>\\n%b"
[urgency_critical]
    timeout = 0
    format = "{critical}<b>%s</b>\\n%b"
"""
# dunst's context menu runs its "dmenu" program (dunst(5)) with a line per action and link of
# the notifications on screen ("#Snooze 1 day (summary) [id,snooze-1d]") and performs the line
# it prints back. This one keeps the lines, and prints the first holding the text of `choice`.
_MENU = """\
#!/bin/sh
cat > {root}/menu.part && mv {root}/menu.part {root}/menu.txt
if [ -s {root}/choice ]; then grep -F -m1 -- "$(cat {root}/choice)" {root}/menu.txt; fi
exit 0
"""


def missing() -> str | None:
    """Why dunst cannot run here (a program not installed), or None when it can."""
    programs = [
        (XVFB, "xvfb"),
        (DUNST, "dunst"),
        (DUNSTCTL, "dunst"),
        (DBUS_DAEMON, "dbus"),
        ("dbus-send", "dbus"),  # dunstctl's calls
        ("busctl", "systemd"),  # dunstctl history
    ]
    for program, package in programs:
        if shutil.which(program) is None:
            return (
                f"{program} not installed (apt-get install {package}; scripts/system-packages.sh)"
            )
    return None


class Dunst:
    """Xvfb on a free display, a private session bus, and dunst on both with a config of its own."""

    def __init__(self, root: Path, *, marks: bool = True) -> None:
        self.root = root
        self.marks = marks
        self.bus = SessionBus(root / "bus", recorder=False)
        self.display = ""
        self.log = root / "dunst.log"
        self._menu = root / "menu.txt"
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._dunst: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return self.bus.address

    @property
    def env(self) -> dict[str, str]:
        """The environment of dunst and dunstctl: this display and this bus, never Wayland's."""
        env = dict(os.environ, DISPLAY=self.display, DBUS_SESSION_BUS_ADDRESS=self.address)
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def start(self) -> Dunst:
        self._start_xvfb()
        (self.root / "bus").mkdir(exist_ok=True)
        self.bus.start()
        menu = self.root / "menu.sh"
        menu.write_text(_MENU.format(root=shlex.quote(str(self.root))))
        menu.chmod(0o755)
        config = self.root / "dunstrc"
        marks = {u: f"urgency: {u}\\n" if self.marks else "" for u in ("low", "normal", "critical")}
        config.write_text(_CONFIG.format(menu=menu, true=shutil.which("true"), **marks))
        with self.log.open("wb") as log:
            self._dunst = subprocess.Popen(
                [DUNST, "-config", str(config)], env=self.env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        if not wait_until(self._answering, START_SECONDS):
            raise RuntimeError(f"dunst did not answer on the bus: {self.log.read_text()}")
        return self

    def _start_xvfb(self) -> None:
        """Xvfb takes a free display and writes its number once it accepts clients (-displayfd)."""
        read, write = os.pipe()
        try:
            self._xvfb = subprocess.Popen(
                [XVFB, "-displayfd", str(write), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            os.close(write)
            write = -1
            # Read to the newline: a pipe closed before it kills Xvfb (SIGPIPE on its write).
            said = b""
            while not said.endswith(b"\n") and select.select([read], [], [], START_SECONDS)[0]:
                if not (chunk := os.read(read, 64)):
                    break
                said += chunk
            number = said.decode().strip()
        finally:
            os.close(read)
            if write >= 0:
                os.close(write)
        if not number.isdigit():
            raise RuntimeError("Xvfb did not report a display")
        self.display = f":{number}"

    def _answering(self) -> bool:
        if self._dunst is not None and self._dunst.poll() is not None:
            raise RuntimeError(f"dunst ended at its start: {self.log.read_text()}")
        # `dunstctl debug` asks the name's owner for its name and pings dunst's own interface.
        return self.ctl("debug", check=False).returncode == 0

    def stop(self) -> None:
        """dunst, then its bus, then the display."""
        _end(self._dunst)
        self.bus.stop()
        _end(self._xvfb)
        self._dunst = self._xvfb = None

    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `dunstctl args` against this dunst."""
        return subprocess.run(
            [DUNSTCTL, *args], env=self.env, capture_output=True, text=True, check=check, timeout=10
        )

    def displayed(self) -> int:
        """How many notifications dunst shows now."""
        return int(self.ctl("count", "displayed").stdout.strip())

    def history(self) -> list[dict[str, object]]:
        """The closed notifications, newest first, from `dunstctl history` (its JSON, unwrapped)."""
        entries = json.loads(self.ctl("history").stdout)["data"][0]
        return [{key: field["data"] for key, field in entry.items()} for entry in entries]

    def close_all(self) -> list[dict[str, object]]:
        """Close every notification shown (into the history, `dunstctl close-all`); the history."""
        self.ctl("close-all")
        return self.history()

    def menu(self, choice: str = "") -> list[str]:
        """Open dunst's context menu (`dunstctl context`) and choose the first line holding
        `choice` (none when empty); the lines dunst offered."""
        (self.root / "choice").write_text(choice)
        self._menu.unlink(missing_ok=True)
        refused = self._refusals()
        self.ctl("context")

        def opened() -> bool:
            nonlocal refused
            if self._menu.exists():
                return True
            # dunst 1.9 refuses a menu until it is done with the last (its src/menu.c): again.
            if (now := self._refusals()) > refused:
                refused = now
                self.ctl("context")
            return False

        if not wait_until(opened, 10):
            raise RuntimeError(f"dunst did not run its menu: {self.log.read_text()}")
        return self._menu.read_text().splitlines()

    def _refusals(self) -> int:
        return self.log.read_text().count("Context menu already running, refusing to rerun")


def _end(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

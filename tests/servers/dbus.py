"""A private session D-Bus (dbus-daemon) with a recording notification server on it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support import wait_until

DBUS_DAEMON = shutil.which("dbus-daemon") or "/usr/bin/dbus-daemon"
_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SessionBus:
    """dbus-daemon on a socket in `root`, and the notification server recording to a file
    unless `recorder` is False (tests/servers/dunst.py brings its own server)."""

    def __init__(self, root: Path, *, click: bool = False, recorder: bool = True) -> None:
        self.root = root
        self.click = click
        self.recorder = recorder
        self.socket = root / "bus"
        self.address = f"unix:path={self.socket}"
        self.record = root / "notifications.jsonl"
        self._bus: subprocess.Popen[bytes] | None = None
        self._server: subprocess.Popen[str] | None = None

    def start(self) -> SessionBus:
        config = self.root / "session.conf"
        config.write_text(_CONFIG.format(socket=self.socket))
        self._bus = subprocess.Popen(
            [DBUS_DAEMON, f"--config-file={config}", "--nofork", "--nopidfile"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_until(self.socket.exists, 4.0, every=0.02):
            raise RuntimeError("dbus-daemon did not create its socket")
        if not self.recorder:
            return self
        server = Path(__file__).with_name("notification_server.py")
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
        self._server = subprocess.Popen(
            [sys.executable, str(server), self.address, str(self.record)]
            + (["click"] if self.click else []),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        )  # fmt: skip
        if self._server.stdout is None or self._server.stdout.readline().strip() != "ready":
            raise RuntimeError("the notification server did not start")
        return self

    def stop(self) -> None:
        for process in (self._server, self._bus):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
        self._server = self._bus = None

    def notifications(self) -> list[dict[str, Any]]:
        """Every Notify call received so far."""
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines() if line]

    def wait_for(self, count: int, timeout: float) -> list[dict[str, Any]]:
        """The notifications once there are `count` of them, or those there are at `timeout`."""
        found: list[dict[str, Any]] = []

        def enough() -> bool:
            found[:] = self.notifications()
            return len(found) >= count

        wait_until(enough, timeout)
        return found

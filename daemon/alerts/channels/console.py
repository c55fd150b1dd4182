"""The console channel: each alert as text on stdout (what `make demo` shows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from aliwatch.daemon.alerts.channels.channel import Outgoing
from aliwatch.daemon.alerts.render import alert_text


@dataclass
class ConsoleChannel:
    """Writes alerts to `out`; used when no other channel is configured."""

    out: TextIO
    name: str = "console"

    def send(self, alert: Outgoing) -> None:
        mark = "[URGENT] " if alert.decision.urgent_at(alert.now) else ""
        self.out.write(f"\n{mark}{alert_text(alert.decision, alert.now, alert.zone)}\n")
        self.out.flush()

    def probe(self) -> str:
        """Standard output is always there."""
        return f"configured, {self.describe()}"

    def describe(self) -> str:
        return "standard output"

    def abort(self) -> None:
        """A write to standard output is not broken off."""

"""The daemon: sync sources, run the rules, deliver alerts; once, or until told to stop."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Protocol, TextIO

import structlog

from daemon.backoff import Backoff
from daemon.notify import notify
from daemon.pipeline import decision_of, evaluate
from daemon.render import alert_text
from daemon.settings import Settings
from daemon.store import Store

log = structlog.get_logger("aliwatch")


class Source(Protocol):
    """Somewhere mail comes from; `sync` records what is new and says how many events that was."""

    @property
    def name(self) -> str: ...

    def sync(self, store: Store, now: datetime) -> int: ...


def utc_now() -> datetime:
    """The clock, read once per pass by the caller (design card)."""
    return datetime.now(UTC)


@dataclass
class Runner:
    """One daemon: its sources, its store and the console channel (more channels: issue #5)."""

    settings: Settings
    store: Store
    sources: Sequence[Source]
    out: TextIO
    clock: Callable[[], datetime] = utc_now
    stop: threading.Event = field(default_factory=threading.Event)
    backoff: Backoff = field(default_factory=Backoff)

    def pass_once(self) -> int:
        """Sync every source, decide, deliver. Returns the number of new events."""
        now = self.clock()
        new = 0
        for source in self.sources:
            count = source.sync(self.store, now)
            log.info("sync_done", source=source.name, new_events=count)
            new += count
        added = evaluate(self.store, now, self.settings.policy())
        log.info("rules_done", new_alerts=len(added))
        self.deliver(now)
        return new

    def deliver(self, now: datetime) -> int:
        """Send pending alerts on the console channel; each key once (the store remembers)."""
        sent = 0
        for alert in self.store.pending_alerts():
            decision = decision_of(alert.payload, alert.key)
            mark = "[URGENT] " if decision.urgent else ""
            self.out.write(f"\n{mark}{alert_text(decision, now, self.settings.zone())}\n")
            self.out.flush()
            self.store.mark_sent(alert.key, now)
            sent += 1
        return sent

    def run(self, interval: float) -> None:
        """Pass after pass every `interval` seconds until `stop` is set (SIGTERM, SIGINT)."""
        ready = False
        while not self.stop.is_set():
            try:
                self.pass_once()
            except OSError as err:
                delay = self.backoff.network_failure()
                log.warning("pass_failed", error=type(err).__name__, retry_in=round(delay, 1))
                self.stop.wait(delay)
                continue
            self.backoff.success()
            if not ready:
                notify("READY=1")
                ready = True
            notify(f"STATUS=watching {len(self.sources)} source(s)")
            self.stop.wait(interval)


def install_signal_handlers(stop: threading.Event) -> None:
    """SIGTERM and SIGINT only set the stop flag; every wait in the loop wakes on it."""

    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        log.info("stopping", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)

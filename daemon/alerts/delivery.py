"""Delivery workers: each channel sends on a thread of its own, with its own database connection.

A slow or hanging channel (an SMTP server that accepts and never answers) then never holds up
mail sync or the other channels, and a stop ends every worker between two messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, tzinfo
from pathlib import Path

import structlog

from aliwatch.daemon.alerts.channels.channel import Channel
from aliwatch.daemon.alerts.outbox import RETRY_FIRST, Outbox
from aliwatch.daemon.store import Store, StoreError

log = structlog.get_logger("aliwatch")

# After the store failed to record a send: first wait before trying again (doubling to
# RETRY_FIRST), so a record refused by a full disk is written soon after room comes back.
STORE_RETRY_FIRST = 1.0


class DeliveryWorker:
    """Sends one channel's due alerts whenever woken, and at least every RETRY_FIRST."""

    def __init__(
        self,
        channel: Channel,
        db_path: Path,
        zone: tzinfo,
        quiet: tuple[time, time] | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.channel = channel
        self._db_path = db_path
        self._zone, self._quiet, self._clock = zone, quiet, clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"deliver-{channel.name}", daemon=True
        )

    def start(self) -> None:
        """Begin sending on the worker's thread."""
        self._thread.start()

    def wake(self) -> None:
        """New alerts may be due: look now."""
        self._wake.set()

    def stop(self) -> None:
        """Stop after the message in progress, which is left to finish (see `abort`)."""
        self._stop.set()
        self._wake.set()

    def abort(self) -> None:
        """Break off the message in progress: its channel hangs past the stop's grace."""
        self.channel.abort()

    def join(self, seconds: float) -> bool:
        """Wait up to `seconds` for the thread to end; True when it did."""
        self._thread.join(seconds)
        return not self._thread.is_alive()

    def _run(self) -> None:
        # Sent but not yet recorded (the store failed in between): kept across reopenings.
        unrecorded: set[tuple[str, str]] = set()
        while not self._stop.is_set():
            try:
                with Store.open(self._db_path) as store:
                    self._serve(Outbox(store, [self.channel], self._zone, self._quiet, unrecorded))
                return
            except StoreError as err:  # cannot open it (a full disk): try again later
                log.error("delivery_store_error", channel=self.channel.name, error=str(err))
                self._stop.wait(RETRY_FIRST.total_seconds())

    def _serve(self, outbox: Outbox) -> None:
        retry = STORE_RETRY_FIRST
        while not self._stop.is_set():
            # A send the store could not record is tried again soon, not at the next round.
            self._wake.wait(retry if outbox.unrecorded else RETRY_FIRST.total_seconds())
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                outbox.send_due(self._clock(), self._stop)
                retry = STORE_RETRY_FIRST
            except StoreError as err:  # the main loop reports the database; go on
                log.warning("delivery_store_error", channel=self.channel.name, error=str(err))
                retry = min(retry * 2, RETRY_FIRST.total_seconds())
        self._record_at_stop(outbox)

    def _record_at_stop(self, outbox: Outbox) -> None:
        """Record what was sent but not recorded before the worker ends: only memory holds it,
        and the next start would send it again (room may have come back since the last try)."""
        if not outbox.unrecorded:
            return
        try:
            outbox.record_unrecorded(self._clock())
        except StoreError as err:
            log.error(
                "alerts_sent_unrecorded",
                channel=self.channel.name,
                count=len(outbox.unrecorded),
                error=str(err),
                hint="the store cannot be written: these alerts will be sent again at next start",
            )

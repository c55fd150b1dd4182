"""The outbox: stored alerts sent on every channel, each pair once, failed sends retried."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo

import structlog

from aliwatch.daemon.alerts.channels.channel import Channel, ChannelError, Outgoing
from aliwatch.daemon.store import Store, StoreError
from aliwatch.rules.decide import Decision, decision_of

log = structlog.get_logger("aliwatch")
# A failed send is tried again after 30 s, doubling up to 30 min, until it goes through.
RETRY_FIRST = timedelta(seconds=30)
RETRY_CAP = timedelta(minutes=30)
# How long a claim on a delivery holds (longer than any send may take: the SMTP timeout is at
# most 10 min). A process that dies with a claim leaves it to run out, or to the next daemon's
# start, which drops every claim (daemon/service/lock.py: it is then the only one sending).
CLAIM_FOR = timedelta(minutes=15)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure (1, 2, ...)."""
    factor: int = 2 ** max(0, min(attempts - 1, 16))
    return min(RETRY_CAP, RETRY_FIRST * factor)


def in_quiet_hours(now: datetime, zone: tzinfo, span: tuple[time, time] | None) -> bool:
    """Whether local `now` falls in the quiet span (which may cross midnight)."""
    if span is None:
        return False
    start, end = span
    clock = now.astimezone(zone).time()
    if start <= end:
        return start <= clock < end
    return clock >= start or clock < end


def breaks_through(decision: Decision, now: datetime) -> bool:
    """Urgent alerts (rules/urgency.py) are sent in quiet hours; the rest wait for their end."""
    return decision.urgent_at(now)


@dataclass
class Outbox:
    """Sends what the store holds on `channels`; one failing channel never blocks the others."""

    store: Store
    channels: Sequence[Channel]
    zone: tzinfo
    quiet: tuple[time, time] | None = None
    # (alert key, channel) sent but not yet marked sent: the store failed right after the send
    # (a full disk). Marked before anything else is sent, and never sent again meanwhile.
    unrecorded: set[tuple[str, str]] = field(default_factory=set)
    # Who claims deliveries before sending them (the store's `claim`): this process.
    owner: str = field(default_factory=lambda: f"pid {os.getpid()}")
    # Channel name -> (alerts due on it that did not go out, the last failure's reason): what
    # `run --once` names when it exits 1. They stay queued in the store for the next pass.
    undelivered: dict[str, tuple[int, str]] = field(default_factory=dict)

    def deliver(self, now: datetime) -> int:
        """Fan new alerts out, send every delivery that is due; the number sent ("did work")."""
        self.store.fan_out([channel.name for channel in self.channels], now)
        return self.send_due(now)

    def send_due(self, now: datetime, stop: threading.Event | None = None) -> int:
        """Send every delivery due on these channels, oldest first; the number sent.

        Stops between two messages once `stop` is set: what was not sent stays due. A send the
        store could not record is recorded first on the next call; until that works nothing
        else is sent (StoreError), so a failing store never makes a message go out twice.
        """
        self.record_unrecorded(now)
        by_name = {channel.name: channel for channel in self.channels}
        quiet = in_quiet_hours(now, self.zone, self.quiet)
        down: set[str] = set()  # a channel that failed this pass is not tried again in it
        sent = 0
        for delivery in self.store.due_deliveries(list(by_name), now):
            if stop is not None and stop.is_set():
                break
            if (delivery.alert.key, delivery.channel) in self.unrecorded:
                continue
            if delivery.channel in down:
                self._not_delivered(delivery.channel, None)
                continue
            decision = decision_of(delivery.alert.payload, delivery.alert.key)
            if quiet and not breaks_through(decision, now):
                continue  # waits for the end of the quiet hours
            if not self.store.claim(
                delivery.alert.key, delivery.channel, self.owner, now, now + CLAIM_FOR
            ):
                continue  # another process claimed it first: it sends it, not us
            channel = by_name[delivery.channel]
            try:
                channel.send(Outgoing(delivery.alert.key, decision, now, self.zone))
            except Exception as err:  # noqa: BLE001 - a channel's bug must not stop the others
                if not isinstance(err, ChannelError):
                    err = ChannelError(f"unexpected {type(err).__name__}")
                down.add(delivery.channel)
                self._not_delivered(channel.name, str(err))
                tries = delivery.attempts + 1
                retry = retry_delay(tries)
                self.store.delivery_failed(delivery.alert.key, channel.name, str(err), now + retry)
                log.warning(
                    "alert_send_failed",
                    channel=channel.name,
                    rule=decision.rule,
                    attempts=tries,
                    retry_in=int(retry.total_seconds()),
                    error=str(err),
                )
                continue
            try:
                recorded = self.store.delivered(delivery.alert.key, channel.name, now)
            except StoreError:
                self.unrecorded.add((delivery.alert.key, channel.name))
                log.warning("alert_sent_unrecorded", channel=channel.name, rule=decision.rule)
                raise
            if recorded:
                sent += 1
                log.info(
                    "alert_sent", channel=channel.name, rule=decision.rule, order=decision.order_id
                )
        return sent

    def _not_delivered(self, channel: str, reason: str | None) -> None:
        count, last = self.undelivered.get(channel, (0, ""))
        self.undelivered[channel] = (count + 1, reason or last)

    def record_unrecorded(self, now: datetime) -> None:
        """Mark sent what went out while the store could not; StoreError if it still cannot."""
        for key, channel in sorted(self.unrecorded):
            self.store.delivered(key, channel, now)
            self.unrecorded.discard((key, channel))
            log.info("alert_sent_recorded_late", channel=channel)

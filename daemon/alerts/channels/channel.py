"""What every alert channel offers, and the one error a failed send raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from aliwatch.daemon.config.errors import AliwatchError
from aliwatch.rules.decide import Decision


class ChannelError(AliwatchError):
    """A send failed (server down, login refused, bus gone); the outbox retries it later.

    The message names the channel's server and the reason, never a password, token, URL
    secret or alert text.
    """


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One alert to send: its decision, and the time and zone to word its deadline in."""

    key: str
    decision: Decision
    now: datetime
    zone: tzinfo


class Channel(Protocol):
    """A way to reach the buyer. `name` is stable: the outbox keys deliveries by it."""

    @property
    def name(self) -> str: ...

    def send(self, alert: Outgoing) -> None:
        """Deliver `alert` or raise ChannelError."""
        ...

    def probe(self) -> str:
        """Reach the channel's server without sending an alert (`aliwatch check`): what it found,
        or ChannelError."""
        ...

    def describe(self) -> str:
        """Where it delivers, for `aliwatch check` ("alex@example.org via smtp.example.org")."""
        ...

    def abort(self) -> None:
        """Break off a send in progress (from another thread, at stop): it fails and stays due."""
        ...

"""Reconnect delays: capped exponential backoff with jitter, authentication failures apart."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Reconnect 1 s -> 5 min; after 3 authentication failures in a row, 30 min, and tell
# the user (hammering a server with a wrong password gets accounts locked).
BACKOFF_START = 1.0
BACKOFF_MAX = 300.0
AUTH_FAILURES_BEFORE_ALERT = 3
AUTH_BACKOFF = 1800.0


@dataclass
class Backoff:
    """Failure counters and the delay before the next attempt."""

    failures: int = 0
    auth_failures: int = 0
    rng: random.Random | None = None
    start: float = BACKOFF_START
    cap: float = BACKOFF_MAX
    auth_wait: float = AUTH_BACKOFF

    def network_failure(self) -> float:
        """Count a network failure; the delay before trying again (with up to 25 % jitter)."""
        self.failures += 1
        base = min(self.cap, self.start * 2.0 ** (self.failures - 1))
        return base * (1 + 0.25 * (self.rng or random).random())

    def auth_failure(self) -> float:
        """Count a refused login; after three in a row, wait half an hour."""
        self.auth_failures += 1
        if self.auth_failures >= AUTH_FAILURES_BEFORE_ALERT:
            return self.auth_wait
        return self.network_failure()

    @property
    def alert_auth(self) -> bool:
        """True exactly when the third refused login in a row was just counted."""
        return self.auth_failures == AUTH_FAILURES_BEFORE_ALERT

    def success(self) -> None:
        """A check succeeded: start over."""
        self.failures = 0
        self.auth_failures = 0

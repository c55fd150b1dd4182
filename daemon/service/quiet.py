"""Silence library loggers that could echo mail content (headers, part types) to the user."""

from __future__ import annotations

import logging

# mail-parser logs at WARNING about parts it skips and at DEBUG about headers; with no handler
# configured, Python's last-resort handler would print those to stderr. Mail content never goes
# to a log (README, "Privacy"), so its logger is cut off here, in the I/O layer.
_NOISY_LIBRARIES = ("mailparser", "apprise")  # apprise may log URLs, which hold tokens


def quiet_libraries() -> None:
    """Detach the noisy libraries' loggers from every handler."""
    for name in _NOISY_LIBRARIES:
        logger = logging.getLogger(name)
        logger.handlers[:] = [logging.NullHandler()]
        logger.propagate = False

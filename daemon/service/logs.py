"""structlog set-up: plain lines for the journal, console on a terminal, else JSON lines.

ALIWATCH_LOG_FORMAT=json or console overrides the choice.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from datetime import UTC, datetime
from typing import TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

# sd-daemon(3) priority prefixes: journald (SyslogLevelPrefix=, on by default, systemd.exec(5))
# files the line under this priority and strips the prefix, so `journalctl -p warning` and the
# colours of `journalctl -u aliwatch` follow the level.
_PRIORITY = {"debug": 7, "info": 6, "warning": 4, "warn": 4, "error": 3, "critical": 2}


def configure(log_format: str | None, *, now: datetime | None = None) -> None:
    """Configure structlog once at start. Events are names plus counts: never mail or secrets.

    `now` (a command's `--now`) is the moment stamped on every line instead of the real clock,
    so a demo's log tells the same time as its story.
    """
    stream = sys.stderr
    chosen = log_format or ("journal" if stderr_is_journal(stream) else None)
    chosen = chosen or ("console" if stream.isatty() else "json")
    processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
    ]
    if chosen == "journal":
        # journald stamps each line with its own time and colours it by priority: neither is
        # repeated in the text.
        processors += [_priority_prefix, _plain_console(stream)]
    else:
        processors.append(_time_stamper(now))
        processors.append(
            structlog.processors.JSONRenderer() if chosen == "json" else _plain_console(stream)
        )
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    threading.excepthook = _thread_failed


def stderr_is_journal(stream: TextIO) -> bool:
    """Whether `stream` is the journal: systemd sets JOURNAL_STREAM to the device and inode of
    the stream it connects (systemd.exec(5), "Environment variables in spawned processes"),
    and says to compare them with the descriptor's own, since a child may have redirected it."""
    device, _, inode = os.environ.get("JOURNAL_STREAM", "").partition(":")
    try:
        status = os.fstat(stream.fileno())
        return (int(device), int(inode)) == (status.st_dev, status.st_ino)
    except (OSError, ValueError):  # not set, not numbers, or a stream without a descriptor
        return False


def _plain_console(stream: TextIO) -> Processor:
    """The console renderer, coloured only on a terminal; tracebacks without local variables,
    which could hold a password or a mail."""
    return structlog.dev.ConsoleRenderer(
        colors=stream.isatty(), exception_formatter=structlog.dev.plain_traceback
    )


def _time_stamper(now: datetime | None) -> Processor:
    """The real clock's ISO 8601 UTC stamp, or the fixed moment `now` in the same form."""
    if now is None:
        return structlog.processors.TimeStamper(fmt="iso", utc=True)
    stamp = now.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def fixed(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
        event["timestamp"] = stamp
        return event

    return fixed


def _priority_prefix(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    """Move the level into the sd-daemon(3) prefix `<N>` in front of the event name."""
    level = str(event.pop("level", "info"))
    event["event"] = f"<{_PRIORITY.get(level, 6)}>{event.get('event', '')}"
    return event


def _thread_failed(args: threading.ExceptHookArgs) -> None:
    """A library's thread died (jeepney's D-Bus receiver when the session ends): one log line
    with the error's type, not a traceback that could quote what it was handling."""
    structlog.get_logger("aliwatch").warning(
        "thread_failed",
        thread=args.thread.name if args.thread else None,
        error=args.exc_type.__name__,
    )

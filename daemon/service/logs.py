"""structlog set-up: JSON lines off a terminal (or ALIWATCH_LOG_FORMAT=json), else console."""

from __future__ import annotations

import logging
import sys
import threading

import structlog


def configure(log_format: str | None) -> None:
    """Configure structlog once at start. Events are names plus counts: never mail or secrets."""
    as_json = log_format == "json" or (log_format != "console" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    threading.excepthook = _thread_failed


def _thread_failed(args: threading.ExceptHookArgs) -> None:
    """A library's thread died (jeepney's D-Bus receiver when the session ends): one log line
    with the error's type, not a traceback that could quote what it was handling."""
    structlog.get_logger("aliwatch").warning(
        "thread_failed",
        thread=args.thread.name if args.thread else None,
        error=args.exc_type.__name__,
    )

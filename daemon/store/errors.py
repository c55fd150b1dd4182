"""The store's own exceptions: no sqlite3 or OS error escapes `daemon.store`."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from aliwatch.daemon.config.errors import AliwatchError, ConfigError

# A full file system, a quota reached, a file size limit: room may come back.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
# SQLite's primary result codes for a damaged file, or one that is no database at all
# (https://www.sqlite.org/rescode.html#corrupt, #notadb).
_DAMAGED_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


class StoreError(AliwatchError):
    """The state database cannot be opened, read or written.

    Wraps the sqlite3.Error or OSError behind it (as `__cause__`); the message names the path
    or the operation, never a mail's content.
    """


class NotInStoreError(StoreError, LookupError):
    """A call names an order or alert the store has never recorded."""


class StoreFullError(StoreError):
    """The database's file system is full (or its quota reached): it works again once there is
    room, so the daemon waits instead of ending."""


class StoreDamagedError(StoreError):
    """The database file is damaged (or is no SQLite database): it will not heal by itself,
    so the message names the file and the steps that recover from it."""


class StoreMissingError(StoreError, ConfigError):
    """A command that only reads the store found no database at its path: most often a
    mistyped ALIWATCH_DB_PATH, so it is a configuration error (exit status 2)."""


def recovery(path: Path | None) -> str:
    """What to do about a damaged database at `path`: the steps, in order."""
    where = str(path) if path is not None else "the file at ALIWATCH_DB_PATH"
    return (
        f"To recover: stop the service (systemctl stop aliwatch, or systemctl --user stop "
        f"aliwatch), move {where} aside with its -wal and -shm files (mv {where} "
        f"{where}.broken), then start it again: aliwatch rebuilds the store from the mailbox "
        "and records the alerts that were already due as sent instead of mailing them again"
    )


def wrapped(message: str, cause: BaseException, path: Path | None = None) -> StoreError:
    """The StoreError for a sqlite3 or OS error: `message`, then the cause's own words; a full
    disk names the path, a damaged file the path and the way to recover."""
    code = getattr(cause, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(cause, sqlite3.Error) and code is not None else None
    full = (isinstance(cause, OSError) and cause.errno in _FULL_ERRNOS) or (
        primary == sqlite3.SQLITE_FULL
    )
    where = f" ({path})" if path is not None and str(path) not in message else ""
    if primary in _DAMAGED_CODES:
        return StoreDamagedError(
            f"{message}{where}: {cause}; the database is damaged. {recovery(path)}"
        )
    if full:
        return StoreFullError(
            f"{message}{where}: {cause}; free space on the file system holding "
            f"{path or 'ALIWATCH_DB_PATH'}"
        )
    return StoreError(f"{message}{where}: {cause}")

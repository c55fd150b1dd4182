"""The store's own exceptions: no sqlite3 or OS error escapes `daemon.store`."""

from __future__ import annotations

import errno
import sqlite3

from aliwatch.daemon.config.errors import AliwatchError

# A full file system, a quota reached, a file size limit: room may come back.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


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


def wrapped(message: str, cause: BaseException) -> StoreError:
    """The StoreError for a sqlite3 or OS error: `message`, then the cause's own words."""
    code = getattr(cause, "sqlite_errorcode", None)
    full = (isinstance(cause, OSError) and cause.errno in _FULL_ERRNOS) or (
        isinstance(cause, sqlite3.Error) and code is not None and code & 0xFF == sqlite3.SQLITE_FULL
    )
    return (StoreFullError if full else StoreError)(f"{message}: {cause}")

"""The store's own exceptions: no sqlite3 or OS error escapes `daemon.store`."""

from __future__ import annotations


class StoreError(Exception):
    """The state database cannot be opened, read or written.

    Wraps the sqlite3.Error or OSError behind it (as `__cause__`); the message names the path
    or the operation, never a mail's content.
    """


class NotInStoreError(StoreError, LookupError):
    """A call names an order or alert the store has never recorded."""

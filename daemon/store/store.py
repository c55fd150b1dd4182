"""The state store: one SQLite database (WAL mode) holding everything aliwatch remembers."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from aliwatch.daemon.config.closing import Closable
from aliwatch.daemon.store.alerts import Alerts
from aliwatch.daemon.store.deliveries import Deliveries
from aliwatch.daemon.store.errors import StoreError, StoreMissingError, recovery, wrapped
from aliwatch.daemon.store.mails import MailLog
from aliwatch.daemon.store.marks import Marks
from aliwatch.daemon.store.migrations import MIGRATIONS, migrate, version
from aliwatch.daemon.store.orders import Orders
from aliwatch.daemon.store.recognition import Recognition

# How long a write waits for another process's write (the CLI beside the daemon) to finish.
BUSY_TIMEOUT_SECONDS = 10.0


class Store(MailLog, Orders, Recognition, Marks, Alerts, Deliveries, Closable):
    """The state database; open with `Store.open(path)`, close with `close()` or `with`.

    Every write is one transaction and every failure of SQLite or the file system is raised as
    StoreError. Times go in and come out as aware UTC datetimes. One Store per thread: another
    thread opens its own on `path` (SQLite connections are not shared between threads).
    """

    path: Path
    # (device, inode) of the file opened: `replaced` compares the path's with it.
    opened_as: tuple[int, int]

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Store:
        """Open (creating it, private to the user) and migrate the database at `path`.

        With `create` False a missing file is StoreMissingError instead: the commands that only
        read the store must not leave an empty database where a mistyped path points.
        """
        if not create and not path.exists():
            raise StoreMissingError(
                f"no database at {path}; is ALIWATCH_DB_PATH right? (`aliwatch run` or "
                "`aliwatch import` creates it)"
            )
        try:
            _make_private_dirs(path.parent)
            _touch_private(path)
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise wrapped(f"cannot open the database {path}", err, path) from err
        try:
            _configure(db, path)
            migrate(db, where=path)
        except BaseException:
            db.close()
            raise
        store = cls(db, path)
        store.path = path
        try:
            store.opened_as = _identity(path)
        except OSError as err:
            db.close()
            raise wrapped(f"cannot open the database {path}", err, path) from err
        return store

    def close(self) -> None:
        """Close the database; the store cannot be used afterwards."""
        try:
            self._db.close()
        except sqlite3.Error as err:
            raise wrapped("cannot close the database", err, self.path) from err

    def replaced(self) -> str | None:
        """Why the file at the store's path is no longer the one open here (deleted, or another
        file put in its place), or None while it is the same file.

        A daemon that kept writing to a deleted database would lose every write and, on its next
        start, send every alert again (the writes went to the unlinked inode).
        """
        try:
            now_at_path = _identity(self.path)
        except FileNotFoundError:
            return f"the database {self.path} was deleted while aliwatch had it open"
        except OSError as err:
            return f"the database {self.path} cannot be looked at: {err.strerror or err}"
        if now_at_path != self.opened_as:
            return (
                f"the database {self.path} was replaced by another file while aliwatch had it open"
            )
        return None


def _identity(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino


def health_of(path: Path) -> str | None:
    """What is wrong with the database at `path`, read-only and without changing it (for
    `aliwatch check`), or None when it is sound or does not exist yet (`run` creates it).

    Opens it read-only (SQLite URI mode=ro) and runs PRAGMA quick_check, which reads every page
    (https://www.sqlite.org/pragma.html#pragma_quick_check); a damaged file gets the steps that
    recover from it.
    """
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as err:
        return str(wrapped(f"cannot open the database {path} read-only", err, path))
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
        schema = version(db)
    except sqlite3.Error as err:
        return str(wrapped(f"cannot check the database {path}", err, path))
    finally:
        db.close()
    problems = [str(row[0]) for row in rows if str(row[0]) != "ok"]
    if problems:
        shown = "; ".join(problems[:3]) + (
            f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        )
        return f"the database {path} is damaged ({shown}). {recovery(path)}"
    if schema > len(MIGRATIONS):
        known = len(MIGRATIONS)
        return f"the database {path} is from a newer aliwatch (schema {schema}, this one: {known})"
    return None


def _make_private_dirs(folder: Path) -> None:
    """Create the missing folders of `folder` with mode 0700 (XDG base directory spec)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for part in reversed(missing):
        part.mkdir(mode=0o700)


def _touch_private(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite creates it (0644).

    An existing file is never opened here: closing any descriptor of a database file drops
    every POSIX lock this process holds on it (fcntl locks are per process), and another
    process closing its connection then takes itself for the last one and deletes the WAL
    under a connection still open here (https://www.sqlite.org/howtocorrupt.html, 2.2). That
    made a daemon's later writes invisible and lost once its delivery worker opened a second
    connection and `aliwatch status` ran beside it.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def _configure(db: sqlite3.Connection, path: Path) -> None:
    try:
        db.row_factory = sqlite3.Row
        (mode,) = db.execute("PRAGMA journal_mode = WAL").fetchone()
        db.execute("PRAGMA foreign_keys = ON")
        # WAL with synchronous=NORMAL never corrupts the database; only a power cut can lose the
        # last commits (https://www.sqlite.org/pragma.html#pragma_synchronous). Such a mail is
        # fetched again (the server still has it), so a sync is not paid for with an fsync per
        # mail: the backfill of 5,000 mails spent a quarter of its time in fsync (make bench).
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000):d}")
    except sqlite3.Error as err:
        raise wrapped(f"cannot open the database {path}", err, path) from err
    if str(mode).lower() != "wal":
        raise StoreError(f"the database {path} cannot use WAL mode (journal mode {mode})")

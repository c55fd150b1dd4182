"""The connection every part of the store shares, and its transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aliwatch.daemon.store.errors import wrapped


class Connected:
    """Holds the open database; reads and writes go through `_read` and `_write`."""

    def __init__(self, db: sqlite3.Connection, where: Path | None = None) -> None:
        self._db = db
        self._where = where  # the file, named in errors (a full disk, a damaged file)
        # A send was recorded in a savepoint, or the last checkpoint could not copy all of it:
        # checkpoint after the next commit.
        self._checkpoint_due = False

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group writes into one transaction: committing once per mail was most of a backfill's
        store time (make bench). Each write inside still succeeds or fails on its own (a
        savepoint each); the whole batch is committed at the end, or none of it on an exception.
        """
        if self._db.in_transaction:
            yield  # already inside a batch
            return
        with self._write():
            yield

    @contextmanager
    def _write(self, *, checkpoint: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction: all of its writes are committed, or none (on any exception).

        Inside a batch it is a savepoint (SQLite: SAVEPOINT, RELEASE, ROLLBACK TO): undone on
        its own when it fails, committed with the batch. With `checkpoint` (a write recording
        that something was sent) the WAL is copied into the database file once it commits.
        """
        if self._db.in_transaction:
            with self._savepoint():
                yield self._db
            self._checkpoint_due = self._checkpoint_due or checkpoint
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise wrapped("cannot start a write", err, self._where) from err
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise wrapped("write failed", exc, self._where) from exc
            raise
        if checkpoint or self._checkpoint_due:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy every commit so far from the WAL into the database file, without waiting.

        Until a checkpoint, a commit lives only in the `-wal` file
        (https://www.sqlite.org/wal.html): after a crash, deleting that file (by hand, or a
        cleanup script) loses it, and an alert recorded as sent would be decided and sent again.
        SQLite's own checkpoint waits for 1000 pages, so one is run here once a send is
        recorded; it also copies the earlier commits (the alert, its deliveries). PASSIVE never
        waits on the other connections (the daemon's delivery worker, `aliwatch status`), but
        stops short of what a reader of an older snapshot still needs
        (https://www.sqlite.org/pragma.html#pragma_wal_checkpoint): the rest is copied after
        the next commit. A failed checkpoint loses nothing: the commit is in the WAL, as before.
        """
        try:
            row = self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            self._checkpoint_due = True
            return
        # (busy, frames in the WAL, frames copied): -1, -1 when the database is not in WAL mode.
        self._checkpoint_due = row is not None and int(row[2]) < int(row[1])

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        try:
            self._db.execute("SAVEPOINT write")
        except sqlite3.Error as err:
            raise wrapped("cannot start a write", err, self._where) from err
        try:
            yield
            self._db.execute("RELEASE write")
        except BaseException as exc:
            try:
                self._db.execute("ROLLBACK TO write")
                self._db.execute("RELEASE write")
            except sqlite3.Error as err:
                raise wrapped("cannot roll back", err, self._where) from err
            if isinstance(exc, sqlite3.Error):
                raise wrapped("write failed", exc, self._where) from exc
            raise

    def _rollback(self) -> None:
        if self._db.in_transaction:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error as err:
                raise wrapped("cannot roll back", err, self._where) from err

    def _read(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        """All rows of one query."""
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise wrapped("read failed", err, self._where) from err

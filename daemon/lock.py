"""One daemon per state database: an exclusive lock on a file beside it, held while `run` runs.

Two daemons on one store each send every alert (both see it pending before either records it),
so a second `run` (a user unit beside a manual run, two instances pointed at one file) must not
start. fcntl.flock is released by the kernel when the process ends, a SIGKILL included, so a
crash never leaves a stale lock behind (flock(2)).
"""

from __future__ import annotations

import fcntl
import os
from contextlib import suppress
from pathlib import Path


class AlreadyRunningError(Exception):
    """Another aliwatch daemon holds the database's lock; the message names its pid and path."""


def lock_path(db_path: Path) -> Path:
    """The lock file beside the database: aliwatch.db -> aliwatch.db.lock."""
    return db_path.with_name(db_path.name + ".lock")


class DaemonLock:
    """The exclusive lock one `run` holds on a database; `holder` reads it without taking it."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock and write our pid in the file, or AlreadyRunningError at once."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid = self.holder()
            who = f"pid {pid}" if pid else "another process"
            raise AlreadyRunningError(
                f"aliwatch is already running ({who}) on {self.db_path}; stop it first "
                "(systemctl --user stop aliwatch), or point ALIWATCH_DB_PATH at another file"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (the file stays; its content is only a hint)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)

    def holder(self) -> int | None:
        """The pid of the daemon holding the lock, or None when no daemon holds it."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = os.read(fd, 32).decode("ascii", "replace").strip()
                return int(text) if text.isdigit() else 0
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

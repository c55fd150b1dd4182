"""One daemon per state database: an exclusive lock on a file beside it, held while `run` runs.

Two daemons on one store each send every alert (both see it pending before either records it),
so a second `run` (a user unit beside a manual run, two instances pointed at one file) must not
start. fcntl.flock is released by the kernel when the process ends, a SIGKILL included, so a
crash never leaves a stale lock behind (flock(2)).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from aliwatch.daemon.config.errors import ConfigError


class AlreadyRunningError(ConfigError):
    """Another aliwatch daemon holds the database's lock; the message names its pid and path."""


def lock_path(db_path: Path) -> Path:
    """The lock file beside the database: aliwatch.db -> aliwatch.db.lock (links resolved, so
    two names of one database share one lock)."""
    real = db_path.expanduser().resolve()
    return real.with_name(real.name + ".lock")


class DaemonLock:
    """The exclusive lock one `run` holds on a database; `holder` reads it without taking it."""

    def __init__(self, db_path: Path, *, once: bool = False) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self.once = once  # written in the file: a `run` waits for a `run --once` to end
        self._fd: int | None = None

    def acquire(self, wait_for_once: Callable[[int], None] | None = None) -> None:
        """Take the lock and write our pid in the file, or AlreadyRunningError at once.

        With `wait_for_once`, a lock held by a `run --once` (a cron job, a manual check) is
        waited for instead, after calling it with that run's pid: the service started meanwhile
        must not exit 2, which systemd's RestartPreventExitStatus=2 would never restart.
        """
        # As private as the store's own directory (daemon/store: 0700).
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, once = _read_holder(fd)
            if wait_for_once is None or not once:
                os.close(fd)
                who = f"pid {pid}" if pid else "another process"
                raise AlreadyRunningError(
                    f"already running ({who}) on {self.db_path}; stop it first "
                    "(systemctl --user stop aliwatch), or point ALIWATCH_DB_PATH at another file"
                ) from None
            wait_for_once(pid)
            fcntl.flock(fd, fcntl.LOCK_EX)
        # The pid is only a hint for the message of a second run: a full disk may refuse it.
        with suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}{' once' if self.once else ''}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (the file stays; its content is only a hint)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)

    def holder(self) -> int | None:
        """The pid of the daemon holding the lock (0 when unknown), or None when none holds it.

        It tries a shared lock and drops it at once, so a `run` starting in that instant would
        find the lock held; only `check` asks.
        """
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError:
            return 0  # unreadable: someone's; the one who can read it will know
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return _read_holder(fd)[0]
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def _read_holder(fd: int) -> tuple[int, bool]:
    """The pid written in the lock file (0 when unreadable) and whether it is a `run --once`."""
    words = os.pread(fd, 64, 0).decode("ascii", "replace").split()
    pid = int(words[0]) if words and words[0].isdigit() else 0
    return pid, words[1:2] == ["once"]

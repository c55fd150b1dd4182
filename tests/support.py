"""What tests share besides the servers (tests/servers/): waiting on a condition, a full disk."""

from __future__ import annotations

import resource
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def wait_until(condition: Callable[[], object], seconds: float, every: float = 0.05) -> bool:
    """Poll `condition` until it holds or `seconds` have passed; whether it held.

    The only way tests wait: on a condition, never a fixed sleep.
    """
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


def log_has(lines: list[str], event: str, *fields: str) -> Callable[[], bool]:
    """A condition: some JSON log line names `event` and holds every one of `fields`."""
    needle = f'"event": "{event}"'
    return lambda: any(needle in line and all(f in line for f in fields) for line in lines)


@contextmanager
def disk_full() -> Iterator[None]:
    """Every file write of this process fails as on a full disk, with the real errors.

    RLIMIT_FSIZE 0 makes each write EFBIG (CPython ignores SIGXFSZ from the start), which
    SQLite reports as it does ENOSPC. Log output must go to memory or a pipe meanwhile
    (pytest's `capsys`). Usable from any thread: the limit is the process's.
    """
    assert signal.getsignal(signal.SIGXFSZ) is signal.SIG_IGN
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
